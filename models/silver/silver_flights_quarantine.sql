{{ config(unique_key=['_source_file', '_row_number'], on_schema_change='append_new_columns') }}

with checked as (
    {{ silver_flights_checked() }}
)

select
    {%- for c in ['year', 'month', 'day', 'dep_time', 'sched_dep_time', 'dep_delay', 'arr_time',
                  'sched_arr_time', 'arr_delay', 'carrier', 'flight', 'tailnum', 'origin', 'dest',
                  'air_time', 'distance', 'hour', 'minute', 'time_hour'] %}
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
