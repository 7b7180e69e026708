with

flights as (

    select
        weather_condition,
        dep_delay,
        is_cancelled
    from {{ ref('fct_flights') }}

),

conditions as (

    select
        weather_condition,
        cast(count(*) as bigint) as flights,
        avg(cast(dep_delay as {{ lake_type_float() }})) as avg_dep_delay,
        cast(sum(case when {{ lake_is_true('is_cancelled') }} then 1 else 0 end) as bigint) as cancelled,
        cast(sum(case when dep_delay is not null then 1 else 0 end) as bigint) as departed,
        cast(sum(case when dep_delay >= 15 then 1 else 0 end) as bigint) as dep_delayed_15
    from flights
    group by
        weather_condition

),

final as (

    select
        weather_condition,
        flights,
        avg_dep_delay,
        cast(cancelled as {{ lake_type_float() }}) / nullif(flights, 0) as cancellation_rate,
        cast(dep_delayed_15 as {{ lake_type_float() }}) / nullif(departed, 0) as share_dep_delayed_15
    from conditions

)

select
    cast(weather_condition as {{ lake_type_string() }}) as weather_condition,
    flights,
    cast(avg_dep_delay as {{ lake_type_float() }}) as avg_dep_delay,
    cast(cancellation_rate as {{ lake_type_float() }}) as cancellation_rate,
    cast(share_dep_delayed_15 as {{ lake_type_float() }}) as share_dep_delayed_15
from final
