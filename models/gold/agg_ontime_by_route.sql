with

flights as (

    select
        origin,
        dest,
        route,
        arr_delay,
        distance
    from {{ ref('fct_flights') }}

),

routes as (

    select
        origin,
        dest,
        route,
        cast(count(*) as bigint) as flights,
        -- completed = arrived with a recorded arrival delay (not cancelled, not diverted)
        cast(sum(case when arr_delay is not null then 1 else 0 end) as bigint) as completed,
        cast(sum(case when arr_delay < 15 then 1 else 0 end) as bigint) as on_time,
        avg(cast(arr_delay as {{ lake_type_float() }})) as avg_arr_delay,
        avg(cast(distance as {{ lake_type_float() }})) as avg_distance
    from flights
    group by
        origin,
        dest,
        route

),

final as (

    select
        origin,
        dest,
        route,
        flights,
        cast(on_time as {{ lake_type_float() }}) / nullif(completed, 0) as on_time_rate,
        avg_arr_delay,
        avg_distance
    from routes

)

select
    cast(origin as {{ lake_type_string() }}) as origin,
    cast(dest as {{ lake_type_string() }}) as dest,
    cast(route as {{ lake_type_string() }}) as route,
    flights,
    cast(on_time_rate as {{ lake_type_float() }}) as on_time_rate,
    cast(avg_arr_delay as {{ lake_type_float() }}) as avg_arr_delay,
    cast(avg_distance as {{ lake_type_float() }}) as avg_distance
from final
