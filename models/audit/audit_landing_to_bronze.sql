{#- Every delivered row is in bronze or in a file the landing gate rejected: rows and files per
    landing stream (all six, delivered or not), from audit_landing_files. -#}
{%- set streams = ['flights', 'flight_corrections', 'weather', 'planes', 'airports', 'airlines'] -%}

with streams as (
    {%- for stream in streams %}
    select '{{ stream }}' as stream
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

per_stream as (
    select
        stream,
        cast(count(*) as bigint) as files_delivered,
        cast(sum(case when rows_in_bronze > 0 then 1 else 0 end) as bigint) as files_in_bronze,
        cast(sum(case when verdict = 'read' then 1 else 0 end) as bigint) as files_read,
        cast(sum(case when verdict = 'empty' then 1 else 0 end) as bigint) as files_empty,
        cast(sum(case when verdict = 'rejected' then 1 else 0 end) as bigint) as files_rejected,
        cast(sum(rows_delivered) as bigint) as rows_delivered,
        cast(sum(rows_in_bronze) as bigint) as rows_in_bronze,
        cast(sum(case when verdict = 'rejected' then rows_delivered else 0 end) as bigint) as rows_in_rejected_files
    from {{ ref('audit_landing_files') }}
    group by stream
),

bronze as (
    {%- for stream in streams %}
    select '{{ stream }}' as stream, count(*) as bronze_rows from {{ ref('bronze_' ~ stream) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    streams.stream,
    coalesce(per_stream.files_delivered, 0) as files_delivered,
    coalesce(per_stream.files_in_bronze, 0) as files_in_bronze,
    coalesce(per_stream.files_read, 0) as files_read,
    coalesce(per_stream.files_empty, 0) as files_empty,
    coalesce(per_stream.files_rejected, 0) as files_rejected,
    coalesce(per_stream.rows_delivered, 0) as rows_delivered,
    bronze.bronze_rows as rows_in_bronze,
    coalesce(per_stream.rows_in_rejected_files, 0) as rows_in_rejected_files,
    case
        when coalesce(per_stream.rows_delivered, 0)
            = bronze.bronze_rows + coalesce(per_stream.rows_in_rejected_files, 0)
            then {{ lake_true() }}
        else {{ lake_false() }}
    end as is_reconciled
from streams
inner join bronze on streams.stream = bronze.stream
left join per_stream on streams.stream = per_stream.stream
