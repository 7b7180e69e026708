with

flights as (

    select
        sched_dep_hour,
        dep_delay,
        arr_delay
    from {{ ref('fct_flights') }}

),

hours as (

    select
        sched_dep_hour,
        cast(count(*) as bigint) as flights,
        avg(cast(dep_delay as {{ lake_type_float() }})) as avg_dep_delay,
        avg(cast(arr_delay as {{ lake_type_float() }})) as avg_arr_delay,
        cast(sum(case when dep_delay is not null then 1 else 0 end) as bigint) as departed,
        cast(sum(case when dep_delay >= 15 then 1 else 0 end) as bigint) as dep_delayed_15
    from flights
    group by
        sched_dep_hour

),

final as (

    select
        sched_dep_hour,
        flights,
        avg_dep_delay,
        avg_arr_delay,
        cast(dep_delayed_15 as {{ lake_type_float() }}) / nullif(departed, 0) as share_dep_delayed_15
    from hours

)

select
    cast(sched_dep_hour as integer) as sched_dep_hour,
    flights,
    cast(avg_dep_delay as {{ lake_type_float() }}) as avg_dep_delay,
    cast(avg_arr_delay as {{ lake_type_float() }}) as avg_arr_delay,
    cast(share_dep_delayed_15 as {{ lake_type_float() }}) as share_dep_delayed_15
from final
