{{ config(unique_key=['origin', 'time_hour'], test_scope_column='time_hour') }}

with checked as (
    {{ silver_weather_checked() }}
),

latest as (
    select
        checked.*,
        row_number() over (
            partition by origin, time_hour
            order by _ingested_at desc, _source_file desc, _row_number desc
        ) as _version_rank
    from checked
    where _failed_rule is null
)

select
    origin,
    time_hour,
    observed_date,
    observed_hour,
    temp,
    dewp,
    humid,
    wind_dir,
    wind_speed,
    wind_gust,
    precip,
    pressure,
    visib,
    _source_file,
    _row_number,
    _ingested_at,
    _batch_id
from latest
where _version_rank = 1
