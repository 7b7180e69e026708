{#- Every bronze row is the current silver row (same lineage), quarantined, or superseded by a
    later delivery: for a snapshot stream any later snapshot file (which re-delivers or retires
    the key), otherwise a later row with the same key. Returns the rows that are none of these. -#}
{% test rows_accounted_for(model, silver, quarantine, key_columns, snapshot=false) %}
{#- every bronze row: a new delivery can supersede an old row, and silver can change its status -#}
{{ config(meta={'lake_test_whole_table': true}) }}

with bronze as (
    select
        _source_file,
        _row_number,
        {%- for k in key_columns %}
        {{ k }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}
),

classified as (
    select
        bronze.*,
        case
            when current_rows._source_file is not null then 'current'
            when quarantined._source_file is not null then 'quarantined'
            when exists (
                select 1
                from bronze as later
                where
                    {%- if snapshot %}
                    later._source_file > bronze._source_file
                    {%- else %}
                    {%- for k in key_columns %}
                    later.{{ k }} = bronze.{{ k }} and
                    {%- endfor %}
                    (
                        later._source_file > bronze._source_file
                        or (later._source_file = bronze._source_file and later._row_number > bronze._row_number)
                    )
                    {%- endif %}
            ) then 'superseded'
        end as status
    from bronze
    left join {{ silver }} as current_rows
        on bronze._source_file = current_rows._source_file
        and bronze._row_number = current_rows._row_number
    left join {{ quarantine }} as quarantined
        on bronze._source_file = quarantined._source_file
        and bronze._row_number = quarantined._row_number
)

select * from classified where status is null

{% endtest %}
