{#- Every delivered row is in bronze: rows and files per landing stream, counted straight from
    the CSV files and from the bronze tables. -#}
{%- set streams = ['flights', 'flight_corrections', 'weather', 'planes', 'airports', 'airlines'] -%}
{{ config(pre_hook=["{{ lake_load_all_deliveries(['flights', 'flight_corrections', 'weather', 'planes', 'airports', 'airlines']) }}"]) }}

with delivered as (
    {%- for stream in streams %}
    {%- set relation = source('landing', stream) %}
    select
        '{{ stream }}' as stream,
        count(*) as rows_delivered,
        count(distinct _source_file) as files_delivered
    from {{ lake_delivered_rows(stream) }} as delivered_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

ingested as (
    {%- for stream in streams %}
    select
        '{{ stream }}' as stream,
        count(*) as rows_in_bronze,
        count(distinct _source_file) as files_in_bronze
    from {{ ref('bronze_' ~ stream) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    delivered.stream,
    delivered.files_delivered,
    ingested.files_in_bronze,
    delivered.rows_delivered,
    ingested.rows_in_bronze,
    case when delivered.rows_delivered = ingested.rows_in_bronze then {{ lake_true() }} else {{ lake_false() }} end as is_reconciled
from delivered
inner join ingested on delivered.stream = ingested.stream
