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
        avg(cast(arr_delay as double)) as avg_arr_delay,
        avg(cast(distance as double)) as avg_distance
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
        cast(on_time as double) / nullif(completed, 0) as on_time_rate,
        avg_arr_delay,
        avg_distance
    from routes

)

select
    cast(origin as varchar) as origin,
    cast(dest as varchar) as dest,
    cast(route as varchar) as route,
    flights,
    cast(on_time_rate as double) as on_time_rate,
    cast(avg_arr_delay as double) as avg_arr_delay,
    cast(avg_distance as double) as avg_distance
from final
