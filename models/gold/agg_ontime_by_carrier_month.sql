with

flights as (

    select
        carrier,
        flight_date,
        is_cancelled,
        arr_delay
    from {{ ref('fct_flights') }}

),

carriers as (

    select
        carrier,
        carrier_name
    from {{ ref('dim_carriers') }}

),

flights_by_month as (

    select
        carrier,
        cast({{ dbt.date_trunc('month', 'flight_date') }} as date) as month_start,
        is_cancelled,
        arr_delay
    from flights

),

carrier_months as (

    select
        carrier,
        month_start,
        cast(count(*) as bigint) as flights,
        cast(sum(case when {{ lake_is_true('is_cancelled') }} then 1 else 0 end) as bigint) as cancelled,
        -- completed = arrived with a recorded arrival delay (not cancelled, not diverted)
        cast(sum(case when arr_delay is not null then 1 else 0 end) as bigint) as completed,
        cast(sum(case when arr_delay < 15 then 1 else 0 end) as bigint) as on_time,
        avg(cast(arr_delay as {{ lake_type_float() }})) as avg_arr_delay
    from flights_by_month
    group by
        carrier,
        month_start

),

final as (

    select
        carrier_months.carrier,
        carriers.carrier_name,
        carrier_months.month_start,
        carrier_months.flights,
        carrier_months.cancelled,
        cast(carrier_months.on_time as {{ lake_type_float() }})
        / nullif(carrier_months.completed, 0) as on_time_rate,
        cast(carrier_months.avg_arr_delay as {{ lake_type_float() }}) as avg_arr_delay
    from carrier_months
    left join carriers
        on carrier_months.carrier = carriers.carrier

)

select
    carrier,
    carrier_name,
    month_start,
    flights,
    cancelled,
    cast(on_time_rate as {{ lake_type_float() }}) as on_time_rate,
    avg_arr_delay
from final
