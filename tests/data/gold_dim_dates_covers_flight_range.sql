-- dim_dates must hold exactly one row per day from the first to the last flight date:
-- no gaps, no days outside the range (guards the digit spine and dbt.dateadd on every engine).
with

flight_range as (

    select
        min(flight_date) as first_date,
        max(flight_date) as last_date
    from {{ ref('fct_flights') }}

),

calendar_range as (

    select
        min(date_day) as first_day,
        max(date_day) as last_day,
        count(*) as days,
        count(distinct date_day) as distinct_days
    from {{ ref('dim_dates') }}

),

mismatches as (

    select
        flight_range.first_date,
        flight_range.last_date,
        calendar_range.first_day,
        calendar_range.last_day,
        calendar_range.days,
        calendar_range.distinct_days
    from flight_range
    cross join calendar_range
    where
        calendar_range.first_day <> flight_range.first_date
        or calendar_range.last_day <> flight_range.last_date
        or calendar_range.distinct_days <> calendar_range.days
        or calendar_range.days
        <> {{ dbt.datediff('flight_range.first_date', 'flight_range.last_date', 'day') }} + 1

)

select
    first_date,
    last_date,
    first_day,
    last_day,
    days,
    distinct_days
from mismatches
