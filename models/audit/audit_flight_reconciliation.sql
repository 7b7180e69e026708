{#- The year's reconciliation: every flight delivered in the daily files is in silver, was
    quarantined, was deleted by a correction, or came in a file the landing gate rejected;
    rows that deliver a flight again (duplicates, re-deliveries) are counted once as repeats.
    The five add up to the rows delivered. The terms other than silver's own count are summed
    from audit_flight_month_counts, which counts again only the months that changed. -#}

with delivered as (
    select
        rows_delivered,
        rows_in_rejected_files
    from {{ ref('audit_landing_to_bronze') }}
    where stream = 'flights'
),

months as (
    select
        cast(sum(quarantined_flights) as bigint) as quarantined_flights,
        cast(sum(deleted_flights) as bigint) as deleted_flights,
        cast(sum(repeated_rows) as bigint) as repeated_rows,
        cast(sum(unaccounted_rows) as bigint) as unaccounted_rows
    from {{ ref('audit_flight_month_counts') }}
),

counts as (
    select
        (select count(*) from {{ ref('silver_flights') }}) as silver_flights,
        coalesce(months.quarantined_flights, 0) as quarantined_flights,
        coalesce(months.deleted_flights, 0) as deleted_flights,
        coalesce(months.repeated_rows, 0) as repeated_rows,
        coalesce(months.unaccounted_rows, 0) as unaccounted_rows,
        (select delivered.rows_delivered from delivered) as delivered_daily_rows,
        (select delivered.rows_in_rejected_files from delivered) as rejected_file_rows
    from months
)

select
    delivered_daily_rows,
    silver_flights,
    quarantined_flights,
    deleted_flights,
    repeated_rows,
    rejected_file_rows,
    unaccounted_rows,
    silver_flights + quarantined_flights + deleted_flights + repeated_rows + rejected_file_rows
        as accounted_rows,
    case
        when silver_flights + quarantined_flights + deleted_flights + repeated_rows
            + rejected_file_rows = delivered_daily_rows
            and unaccounted_rows = 0
            then {{ lake_true() }}
        else {{ lake_false() }}
    end as is_reconciled
from counts
