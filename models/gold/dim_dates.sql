{#- One row per calendar day from the first to the last flight date, on the portable spine of
    lake_day_offsets (0..99999 days, about 270 years). The singular test
    gold_dim_dates_covers_flight_range checks it covers the whole range. -#}
{%- set a_monday -%}cast('1900-01-01' as date){%- endset -%}

with

day_offsets as (

    {{ lake_day_offsets() }}

),

flight_date_range as (

    select
        min(flight_date) as first_date,
        max(flight_date) as last_date
    from {{ ref('silver_flights') }}

),

spine as (

    select
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'flight_date_range.first_date') }} as date) as date_day
    from day_offsets
    cross join flight_date_range
    where day_offsets.day_offset <= {{ dbt.datediff('flight_date_range.first_date', 'flight_date_range.last_date', 'day') }}

),

date_parts as (

    select
        date_day,
        cast(year(date_day) as integer) as year,
        cast(month(date_day) as integer) as month,
        cast(day(date_day) as integer) as day_of_month,
        -- 1900-01-01 was a Monday: ISO day of week without engine-specific functions
        cast({{ dbt.datediff(a_monday, 'date_day', 'day') }} % 7 + 1 as integer) as day_of_week
    from spine

),

dates as (

    select
        date_day,
        year,
        month,
        day_of_month,
        day_of_week,
        cast(
            case day_of_week
                when 1 then 'Monday'
                when 2 then 'Tuesday'
                when 3 then 'Wednesday'
                when 4 then 'Thursday'
                when 5 then 'Friday'
                when 6 then 'Saturday'
                when 7 then 'Sunday'
            end as {{ lake_type_string() }}
        ) as day_name,
        cast(
            case month
                when 1 then 'January'
                when 2 then 'February'
                when 3 then 'March'
                when 4 then 'April'
                when 5 then 'May'
                when 6 then 'June'
                when 7 then 'July'
                when 8 then 'August'
                when 9 then 'September'
                when 10 then 'October'
                when 11 then 'November'
                when 12 then 'December'
            end as {{ lake_type_string() }}
        ) as month_name,
        case
            when day_of_week in (6, 7) then {{ lake_true() }}
            else {{ lake_false() }}
        end as is_weekend,
        cast(floor((month - 1) / 3) + 1 as integer) as quarter
    from date_parts

)

select
    date_day,
    year,
    month,
    day_of_month,
    day_of_week,
    day_name,
    month_name,
    is_weekend,
    quarter
from dates
