{#- The year's reconciliation: every flight delivered in the daily files is in silver, was
    quarantined, was deleted by a correction, or came in a file the landing gate rejected;
    rows that deliver a flight again (duplicates, re-deliveries) are counted once as repeats.
    The five add up to the rows delivered. -#}

with daily as (
    select
        status,
        time_hour,
        carrier,
        flight,
        case
            when time_hour is null or carrier is null or flight is null
                then {{ dbt.concat(['_source_file', "':'", 'cast(_row_number as ' ~ lake_type_string() ~ ')']) }}
            else {{ dbt.concat([lake_timestamp_text('time_hour'), "'|'", 'carrier', "'|'", 'cast(flight as ' ~ lake_type_string() ~ ')']) }}
        end as flight_id
    from {{ ref('audit_flight_row_status') }}
    where stream = 'flights'
),

delivered as (
    select
        rows_delivered,
        rows_in_rejected_files
    from {{ ref('audit_landing_to_bronze') }}
    where stream = 'flights'
),

counts as (
    select
        (select count(*) from {{ ref('silver_flights') }}) as silver_flights,
        (
            select count(distinct daily.flight_id) from daily
            left join {{ ref('silver_flights') }} as silver
                on daily.time_hour = silver.time_hour
                and daily.carrier = silver.carrier
                and daily.flight = silver.flight
            where daily.status = 'quarantined' and silver.flight_key is null
        ) as quarantined_flights,
        (select count(distinct flight_id) from daily where status = 'deleted') as deleted_flights,
        (select count(*) - count(distinct flight_id) from daily) as repeated_rows,
        (select count(*) from daily where status = 'unaccounted') as unaccounted_rows,
        (select rows_delivered from delivered) as delivered_daily_rows,
        (select rows_in_rejected_files from delivered) as rejected_file_rows
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
