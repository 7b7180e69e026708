{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partition_by=['_partition_month'],
    on_schema_change='fail'
) }}
{%- set unparsed = '1900-01-01' %}
{#- The reconciliation's terms per month of time_hour (1900-01-01: rows whose time_hour does
    not parse). Every term is a count within one month: a flight's rows and its silver row
    share the month of its time_hour, and a row without a full key counts as its own flight
    (file:row), so the months add up to the whole. A build counts again only the months that
    received bronze rows since its last one, as audit_flight_row_status classifies them. -#}
{%- set months = lake_changed_bronze_flight_months(unparsed) %}

with status_rows as (
    select
        stream,
        status,
        time_hour,
        carrier,
        flight,
        _source_file,
        _row_number,
        _partition_month,
        _ingested_at
    from {{ ref('audit_flight_row_status') }}
    {%- if is_incremental() %}
    where {{ lake_in_months('_partition_month', months) }}
    {%- endif %}
),

daily as (
    select
        status,
        time_hour,
        carrier,
        flight,
        case
            when time_hour is null or carrier is null or flight is null
                then {{ dbt.concat(['_source_file', "':'", 'cast(_row_number as ' ~ lake_type_string() ~ ')']) }}
            else {{ dbt.concat([lake_timestamp_text('time_hour'), "'|'", 'carrier', "'|'", 'cast(flight as ' ~ lake_type_string() ~ ')']) }}
        end as flight_id,
        _partition_month
    from status_rows
    where stream = 'flights'
),

-- the newest bronze row of each month, corrections included: the model's watermark
month_watermarks as (
    select
        _partition_month,
        max(_ingested_at) as _ingested_at
    from status_rows
    group by _partition_month
),

silver as (
    select
        flight_key,
        time_hour,
        carrier,
        flight,
        _partition_month
    from {{ ref('silver_flights') }}
    {%- if is_incremental() %}
    where {{ lake_in_months('_partition_month', months) }}
    {%- endif %}
),

daily_terms as (
    select
        daily._partition_month,
        count(distinct case
            when daily.status = 'quarantined' and silver.flight_key is null then daily.flight_id
        end) as quarantined_flights,
        count(distinct case when daily.status = 'deleted' then daily.flight_id end)
            as deleted_flights,
        count(*) - count(distinct daily.flight_id) as repeated_rows,
        sum(case when daily.status = 'unaccounted' then 1 else 0 end) as unaccounted_rows,
        count(*) as daily_rows
    from daily
    left join silver
        on daily.time_hour = silver.time_hour
        and daily.carrier = silver.carrier
        and daily.flight = silver.flight
        and daily._partition_month = silver._partition_month
    group by daily._partition_month
),

silver_terms as (
    select
        _partition_month,
        count(*) as silver_flights
    from silver
    group by _partition_month
),

months as (
    select _partition_month from month_watermarks
    union
    select _partition_month from silver_terms
)

select
    cast(coalesce(silver_terms.silver_flights, 0) as bigint) as silver_flights,
    cast(coalesce(daily_terms.quarantined_flights, 0) as bigint) as quarantined_flights,
    cast(coalesce(daily_terms.deleted_flights, 0) as bigint) as deleted_flights,
    cast(coalesce(daily_terms.repeated_rows, 0) as bigint) as repeated_rows,
    cast(coalesce(daily_terms.unaccounted_rows, 0) as bigint) as unaccounted_rows,
    cast(coalesce(daily_terms.daily_rows, 0) as bigint) as daily_rows,
    cast(months._partition_month as date) as _partition_month,
    cast(month_watermarks._ingested_at as {{ lake_type_timestamp_tz() }}) as _ingested_at
from months
left join month_watermarks
    on months._partition_month = month_watermarks._partition_month
left join daily_terms
    on months._partition_month = daily_terms._partition_month
left join silver_terms
    on months._partition_month = silver_terms._partition_month
