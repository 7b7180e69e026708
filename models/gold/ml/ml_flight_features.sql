{#- One row per flight: the label (arrived 15+ minutes late) and features known before the
    scheduled departure. Rolling delay rates per carrier, route and origin use only flights whose
    flight_date lies in the 28 days ending two days before the flight's own date
    (flight_date - 29 .. flight_date - 2): every such flight has landed before this one leaves,
    even a late evening flight of the day before that lands after midnight. The label of a row is
    never used to build that row's features. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partition_by=['_partition_month'],
    on_schema_change='fail'
) }}
{#- Incremental by month: the months whose inputs changed and the two after them (their
    28-day windows look back into changed days) are rebuilt, reading two months before each. -#}
{%- set months = lake_replaced_months(lake_month_span(lake_changed_months(with_planes=true), forward=2)) -%}
{%- set a_monday -%}cast('1900-01-01' as date){%- endset -%}

with

flights as (

    select
        flight_key,
        time_hour,
        flight_date,
        carrier,
        tailnum,
        origin,
        dest,
        sched_dep_time,
        sched_dep_at_utc,
        arr_delay,
        distance,
        _partition_month,
        _ingested_at
    from {{ ref('silver_flights') }}
    {%- if is_incremental() %}
    where {{ lake_in_months('_partition_month', lake_month_span(months, back=2)) }}
    {%- endif %}

),

weather as (

    select
        origin,
        time_hour,
        temp,
        humid,
        wind_speed,
        precip,
        visib,
        pressure
    from {{ ref('silver_weather') }}

),

planes as (

    select
        tailnum,
        year_built,
        seats
    from {{ ref('silver_planes') }}

),

flights_labeled as (

    select
        flight_key,
        time_hour,
        flight_date,
        carrier,
        tailnum,
        origin,
        dest,
        {{ dbt.concat(['origin', dbt.string_literal('-'), 'dest']) }} as route,
        sched_dep_time,
        sched_dep_at_utc,
        distance,
        -- cancelled or diverted flights have no arrival delay: no label
        case
            when arr_delay is null then null
            when arr_delay >= 15 then 1
            else 0
        end as label_arr_delayed_15,
        _partition_month,
        _ingested_at
    from flights

),

-- every flight under each of the three history keys, as (key_type, key_value, flight_date)
flight_keys as (

    select
        'carrier' as key_type,
        carrier as key_value,
        flight_date,
        label_arr_delayed_15
    from flights_labeled

    union all

    select
        'route' as key_type,
        route as key_value,
        flight_date,
        label_arr_delayed_15
    from flights_labeled

    union all

    select
        'origin' as key_type,
        origin as key_value,
        flight_date,
        label_arr_delayed_15
    from flights_labeled

),

-- outcomes per key and day, labeled flights only (cancelled and diverted ones do not count)
daily_outcomes as (

    select
        key_type,
        key_value,
        flight_date,
        count(*) as labeled_flights,
        sum(label_arr_delayed_15) as delayed_flights
    from flight_keys
    where label_arr_delayed_15 is not null
    group by
        key_type,
        key_value,
        flight_date

),

-- day offsets 0..99999 (about 270 years)
day_offsets as (

    {{ lake_day_offsets() }}

),

key_spans as (

    select
        key_type,
        key_value,
        min(flight_date) as first_date,
        max(flight_date) as last_date
    from flight_keys
    group by
        key_type,
        key_value

),

-- each key on every day from its first to its last flight date, so that a window of rows is a
-- window of days
key_calendar as (

    select
        key_spans.key_type,
        key_spans.key_value,
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'key_spans.first_date') }} as date)
            as flight_date
    from key_spans
    inner join day_offsets
        on day_offsets.day_offset <= {{ dbt.datediff('key_spans.first_date', 'key_spans.last_date', 'day') }}

),

-- per key and day, the outcomes of the window flight_date - 29 .. flight_date - 2: rows 29 to 2
-- before the day's own row in the key's calendar (a window sum, not a range join)
key_day_history as (

    select
        key_calendar.key_type,
        key_calendar.key_value,
        key_calendar.flight_date,
        sum(coalesce(daily_outcomes.labeled_flights, 0)) over (
            partition by key_calendar.key_type, key_calendar.key_value
            order by key_calendar.flight_date
            rows between 29 preceding and 2 preceding
        ) as labeled_flights_28d,
        sum(coalesce(daily_outcomes.delayed_flights, 0)) over (
            partition by key_calendar.key_type, key_calendar.key_value
            order by key_calendar.flight_date
            rows between 29 preceding and 2 preceding
        ) as delayed_flights_28d
    from key_calendar
    left join daily_outcomes
        on key_calendar.key_type = daily_outcomes.key_type
        and key_calendar.key_value = daily_outcomes.key_value
        and key_calendar.flight_date = daily_outcomes.flight_date

),

carrier_history as (

    select
        key_value as carrier,
        flight_date,
        labeled_flights_28d,
        delayed_flights_28d
    from key_day_history
    where key_type = 'carrier'

),

route_history as (

    select
        key_value as route,
        flight_date,
        labeled_flights_28d,
        delayed_flights_28d
    from key_day_history
    where key_type = 'route'

),

origin_history as (

    select
        key_value as origin,
        flight_date,
        labeled_flights_28d,
        delayed_flights_28d
    from key_day_history
    where key_type = 'origin'

),

flights_with_features as (

    select
        flights_labeled.flight_key,
        flights_labeled.flight_date,
        flights_labeled.sched_dep_at_utc,
        flights_labeled.label_arr_delayed_15,
        flights_labeled.sched_dep_time,
        flights_labeled.carrier,
        flights_labeled.origin,
        flights_labeled.dest,
        flights_labeled.route,
        flights_labeled.distance,
        planes.year_built,
        planes.seats,
        weather.temp,
        weather.humid,
        weather.wind_speed,
        weather.precip,
        weather.visib,
        weather.pressure,
        carrier_history.labeled_flights_28d as carrier_labeled_28d,
        carrier_history.delayed_flights_28d as carrier_delayed_28d,
        route_history.labeled_flights_28d as route_labeled_28d,
        route_history.delayed_flights_28d as route_delayed_28d,
        origin_history.labeled_flights_28d as origin_labeled_28d,
        origin_history.delayed_flights_28d as origin_delayed_28d,
        flights_labeled._partition_month,
        flights_labeled._ingested_at
    from flights_labeled
    left join planes
        on flights_labeled.tailnum = planes.tailnum
    left join weather
        on flights_labeled.origin = weather.origin
        and flights_labeled.time_hour = weather.time_hour
    left join carrier_history
        on flights_labeled.carrier = carrier_history.carrier
        and flights_labeled.flight_date = carrier_history.flight_date
    left join route_history
        on flights_labeled.route = route_history.route
        and flights_labeled.flight_date = route_history.flight_date
    left join origin_history
        on flights_labeled.origin = origin_history.origin
        and flights_labeled.flight_date = origin_history.flight_date
    {%- if is_incremental() %}
    where {{ lake_in_months('flights_labeled._partition_month', months) }}
    {%- endif %}

),

final as (

    select
        cast(flight_key as {{ lake_type_string() }}) as flight_key,
        cast(flight_date as date) as flight_date,
        cast(sched_dep_at_utc as {{ lake_type_timestamp_tz() }}) as sched_dep_at_utc,
        cast(label_arr_delayed_15 as integer) as label_arr_delayed_15,
        -- 2400 is midnight at the end of the day: hour 0
        cast(
            case
                when sched_dep_time >= 2400 then 0
                else floor(sched_dep_time / 100)
            end as integer
        ) as sched_dep_hour,
        -- 1900-01-01 was a Monday: ISO day of week without engine-specific functions
        cast({{ dbt.datediff(a_monday, 'flight_date', 'day') }} % 7 + 1 as integer) as day_of_week,
        cast(month(flight_date) as integer) as month,
        cast(carrier as {{ lake_type_string() }}) as carrier,
        cast(origin as {{ lake_type_string() }}) as origin,
        cast(dest as {{ lake_type_string() }}) as dest,
        cast(route as {{ lake_type_string() }}) as route,
        cast(distance as {{ lake_type_float() }}) as distance,
        cast(year(flight_date) - year_built as {{ lake_type_float() }}) as plane_age_years,
        cast(seats as {{ lake_type_float() }}) as plane_seats,
        cast(temp as {{ lake_type_float() }}) as wx_temp,
        cast(humid as {{ lake_type_float() }}) as wx_humid,
        cast(wind_speed as {{ lake_type_float() }}) as wx_wind_speed,
        cast(precip as {{ lake_type_float() }}) as wx_precip,
        cast(visib as {{ lake_type_float() }}) as wx_visib,
        cast(pressure as {{ lake_type_float() }}) as wx_pressure,
        cast(carrier_delayed_28d as {{ lake_type_float() }}) / nullif(carrier_labeled_28d, 0) as carrier_delay_rate_28d,
        cast(route_delayed_28d as {{ lake_type_float() }}) / nullif(route_labeled_28d, 0) as route_delay_rate_28d,
        cast(origin_delayed_28d as {{ lake_type_float() }}) / nullif(origin_labeled_28d, 0) as origin_delay_rate_28d,
        cast(coalesce(carrier_labeled_28d, 0) as bigint) as carrier_flights_28d,
        cast(coalesce(route_labeled_28d, 0) as bigint) as route_flights_28d,
        cast(coalesce(origin_labeled_28d, 0) as bigint) as origin_flights_28d,
        cast(_partition_month as date) as _partition_month,
        cast(_ingested_at as {{ lake_type_timestamp_tz() }}) as _ingested_at
    from flights_with_features

)

select
    flight_key,
    flight_date,
    sched_dep_at_utc,
    label_arr_delayed_15,
    sched_dep_hour,
    day_of_week,
    month,
    carrier,
    origin,
    dest,
    route,
    distance,
    plane_age_years,
    plane_seats,
    wx_temp,
    wx_humid,
    wx_wind_speed,
    wx_precip,
    wx_visib,
    wx_pressure,
    cast(carrier_delay_rate_28d as {{ lake_type_float() }}) as carrier_delay_rate_28d,
    cast(route_delay_rate_28d as {{ lake_type_float() }}) as route_delay_rate_28d,
    cast(origin_delay_rate_28d as {{ lake_type_float() }}) as origin_delay_rate_28d,
    carrier_flights_28d,
    route_flights_28d,
    origin_flights_28d,
    _partition_month,
    _ingested_at
from final
