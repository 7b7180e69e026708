{{ config(unique_key=['_source_file', '_row_number'], on_schema_change='append_new_columns') }}

with checked as (
    {{ silver_flights_checked(watermark_also=lake_sibling_watermark('silver_flights')) }}
)

select
    {%- for c in silver_delivered_columns('flights') %}
    raw_{{ c }} as {{ c }},
    {%- endfor %}
    change_type,
    _failed_rule as failed_rule,
    _raw_line,
    _source_file,
    _row_number,
    _ingested_at,
    _batch_id
from checked
where _failed_rule is not null
