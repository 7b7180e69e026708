{#- Incremental by month: a build rewrites only the months whose flights or weather changed
    since the last one (lake_changed_months), each month whole, so deletes are applied too. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partition_by=['_partition_month'],
    on_schema_change='fail'
) }}
{%- set months = lake_replaced_months(lake_changed_months()) %}

with

flights as (

    select
        flight_key,
        time_hour,
        flight_date,
        carrier,
        flight,
        tailnum,
        origin,
        dest,
        sched_dep_time,
        dep_delay,
        arr_delay,
        air_time,
        distance,
        sched_dep_at_utc,
        dep_at_utc,
        sched_arr_at_utc,
        arr_at_utc,
        is_cancelled,
        _partition_month,
        _ingested_at
    from {{ ref('silver_flights') }}
    {%- if is_incremental() %}
    where {{ lake_in_months('_partition_month', months) }}
    {%- endif %}

),

weather as (

    select
        origin,
        time_hour,
        temp,
        wind_speed,
        precip,
        visib
    from {{ ref('silver_weather') }}
    {%- if is_incremental() %}
    where {{ lake_in_months('cast(' ~ dbt.date_trunc('month', 'time_hour') ~ ' as date)', months) }}
    {%- endif %}

),

flights_with_weather as (

    select
        flights.flight_key,
        flights.flight_date,
        flights.carrier,
        flights.flight,
        flights.tailnum,
        flights.origin,
        flights.dest,
        flights.sched_dep_time,
        flights.sched_dep_at_utc,
        flights.dep_at_utc,
        flights.sched_arr_at_utc,
        flights.arr_at_utc,
        flights.dep_delay,
        flights.arr_delay,
        flights.distance,
        flights.air_time,
        flights.is_cancelled,
        flights._partition_month,
        flights._ingested_at,
        weather.origin as weather_origin,
        weather.temp,
        weather.wind_speed,
        weather.precip,
        weather.visib
    from flights
    left join weather
        on flights.origin = weather.origin
        and flights.time_hour = weather.time_hour

),

final as (

    select
        cast(flight_key as {{ lake_type_string() }}) as flight_key,
        cast(flight_date as date) as flight_date,
        cast(carrier as {{ lake_type_string() }}) as carrier,
        cast(flight as integer) as flight_number,
        cast(origin as {{ lake_type_string() }}) as origin,
        cast(dest as {{ lake_type_string() }}) as dest,
        cast({{ dbt.concat(['origin', dbt.string_literal('-'), 'dest']) }} as {{ lake_type_string() }}) as route,
        cast(tailnum as {{ lake_type_string() }}) as tailnum,
        cast(sched_dep_time as integer) as sched_dep_time,
        cast(floor(sched_dep_time / 100) as integer) as sched_dep_hour,
        cast(sched_dep_at_utc as {{ lake_type_timestamp_tz() }}) as sched_dep_at_utc,
        cast(dep_at_utc as {{ lake_type_timestamp_tz() }}) as dep_at_utc,
        cast(sched_arr_at_utc as {{ lake_type_timestamp_tz() }}) as sched_arr_at_utc,
        cast(arr_at_utc as {{ lake_type_timestamp_tz() }}) as arr_at_utc,
        cast(dep_delay as integer) as dep_delay,
        cast(arr_delay as integer) as arr_delay,
        cast(distance as integer) as distance,
        cast(air_time as integer) as air_time,
        cast(is_cancelled as {{ lake_type_boolean() }}) as is_cancelled,
        case
            when dep_delay is null then null
            when dep_delay >= 15 then {{ lake_true() }}
            else {{ lake_false() }}
        end as is_dep_delayed_15,
        case
            when arr_delay is null then null
            when arr_delay >= 15 then {{ lake_true() }}
            else {{ lake_false() }}
        end as is_delayed_15,
        cast(temp as {{ lake_type_float() }}) as weather_temp,
        cast(wind_speed as {{ lake_type_float() }}) as weather_wind_speed,
        cast(precip as {{ lake_type_float() }}) as weather_precip,
        cast(visib as {{ lake_type_float() }}) as weather_visib,
        cast(
            case
                when weather_origin is null then 'unknown'
                when precip > 0 then 'precipitation'
                when visib < 3 then 'low visibility'
                when wind_speed >= 20 then 'windy'
                else 'clear'
            end as {{ lake_type_string() }}
        ) as weather_condition,
        cast(_partition_month as date) as _partition_month,
        cast(_ingested_at as {{ lake_type_timestamp_tz() }}) as _ingested_at
    from flights_with_weather

)

select
    flight_key,
    flight_date,
    carrier,
    flight_number,
    origin,
    dest,
    route,
    tailnum,
    sched_dep_time,
    sched_dep_hour,
    sched_dep_at_utc,
    dep_at_utc,
    sched_arr_at_utc,
    arr_at_utc,
    dep_delay,
    arr_delay,
    distance,
    air_time,
    is_cancelled,
    is_dep_delayed_15,
    is_delayed_15,
    weather_temp,
    weather_wind_speed,
    weather_precip,
    weather_visib,
    weather_condition,
    _partition_month,
    _ingested_at
from final
