{#- Every file in every landing stream's folder, whatever its name, with the landing gate's
    verdict: read into bronze, empty (no rows), or rejected whole with the reason (a name
    outside the stream's pattern included). The rows a file delivered are counted as bronze
    reads them (malformed rows included); for a rejected file, its non-empty lines after the
    header. Files are immutable, so a build judges only files it has not recorded yet, and
    files not accounted for last time (they are judged again). -#}
{%- set streams = ['flights', 'flight_corrections', 'weather', 'planes', 'airports', 'airlines'] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['stream', '_source_file'],
    on_schema_change='append_new_columns',
    pre_hook=["{{ lake_load_all_deliveries(['flights', 'flight_corrections', 'weather', 'planes', 'airports', 'airlines']) }}"]
) }}

with files as (
    {%- for stream in streams %}
    {%- set relation = source('landing', stream) %}
    select
        '{{ stream }}' as stream,
        gate._source_file,
        gate.verdict,
        gate.reason,
        gate.encoding,
        gate.dialect,
        cast(case
            when gate.verdict = 'read' then coalesce(parsed.parsed_rows, 0)
            else gate.data_lines
        end as bigint) as rows_delivered,
        cast(coalesce(bronze.bronze_rows, 0) as bigint) as rows_in_bronze
    from {{ lake_delivered_files(stream) }} as gate
    left join {{ lake_delivered_row_counts(stream) }} as parsed
        on gate._source_file = parsed._source_file
    left join (
        select _source_file, count(*) as bronze_rows
        from {{ ref('bronze_' ~ stream) }}
        group by _source_file
    ) as bronze
        on gate._source_file = bronze._source_file
    {%- if is_incremental() %}
    where gate._source_file not in (
        select recorded._source_file
        from {{ this }} as recorded
        where recorded.stream = '{{ stream }}' and recorded.is_accounted = {{ lake_true() }}
    )
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    stream,
    _source_file,
    verdict,
    reason,
    encoding,
    dialect,
    rows_delivered,
    rows_in_bronze,
    case
        when verdict = 'read' and rows_delivered = rows_in_bronze then {{ lake_true() }}
        when verdict <> 'read' and rows_in_bronze = 0 then {{ lake_true() }}
        else {{ lake_false() }}
    end as is_accounted
from files
