{#- The year's reconciliation: every flight delivered in the daily files is in silver, was
    quarantined, or was deleted by a correction, and the three add up to the rows delivered. -#}

with daily as (
    select
        status,
        time_hour,
        carrier,
        flight
    from {{ ref('audit_flight_row_status') }}
    where stream = 'flights'
),

delivered as (
    select rows_delivered from {{ ref('audit_landing_to_bronze') }} where stream = 'flights'
),

counts as (
    select
        (select count(*) from {{ ref('silver_flights') }}) as silver_flights,
        (
            select count(*) from daily
            left join {{ ref('silver_flights') }} as silver
                on daily.time_hour = silver.time_hour
                and daily.carrier = silver.carrier
                and daily.flight = silver.flight
            where daily.status = 'quarantined' and silver.flight_key is null
        ) as quarantined_flights,
        (select count(*) from daily where status = 'deleted') as deleted_flights,
        (select count(*) from daily where status = 'unaccounted') as unaccounted_rows,
        (select rows_delivered from delivered) as delivered_daily_rows
)

select
    delivered_daily_rows,
    silver_flights,
    quarantined_flights,
    deleted_flights,
    unaccounted_rows,
    silver_flights + quarantined_flights + deleted_flights as accounted_flights,
    case
        when silver_flights + quarantined_flights + deleted_flights = delivered_daily_rows
            and unaccounted_rows = 0
            then {{ lake_true() }}
        else {{ lake_false() }}
    end as is_reconciled
from counts
