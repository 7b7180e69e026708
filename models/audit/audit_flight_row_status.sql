{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partition_by=['_partition_month'],
    on_schema_change='fail'
) }}
{%- set unparsed = '1900-01-01' %}
{#- A row's status depends only on rows of the same flight, which share its month: a build
    classifies again only the months that received bronze rows since the last one (rows whose
    time_hour does not parse share the month 1900-01-01). -#}
{%- set months = lake_changed_bronze_flight_months(unparsed) %}
{#- What became of every bronze flight row (daily deliveries and corrections): the current
    silver version, quarantined, superseded by a later delivery of the same flight, a delete
    instruction, or deleted by one. Anything else is 'unaccounted', which a test forbids. -#}

with bronze_rows as (
    select
        'flights' as stream,
        1 as stream_rank,
        _source_file,
        _row_number,
        _ingested_at,
        time_hour as raw_time_hour,
        carrier as raw_carrier,
        flight as raw_flight,
        'update' as change_type
    from {{ ref('bronze_flights') }}
    {%- if is_incremental() %}
    where {{ lake_raw_time_hour_in_months('time_hour', months, unparsed) }}
    {%- endif %}
    union all
    select
        'flight_corrections' as stream,
        2 as stream_rank,
        _source_file,
        _row_number,
        _ingested_at,
        time_hour as raw_time_hour,
        carrier as raw_carrier,
        flight as raw_flight,
        lower({{ lake_clean_text('change_type') }}) as change_type
    from {{ ref('bronze_flight_corrections') }}
    {%- if is_incremental() %}
    where {{ lake_raw_time_hour_in_months('time_hour', months, unparsed) }}
    {%- endif %}
),

keyed as (
    select
        bronze_rows.*,
        {{ lake_parse_utc_timestamp('raw_time_hour') }} as time_hour,
        {{ lake_clean_text('raw_carrier') }} as carrier,
        {{ lake_parse('raw_flight', 'integer') }} as flight,
        {{ lake_month_of_raw_time_hour('raw_time_hour', unparsed) }} as _partition_month
    from bronze_rows
),

silver as (
    select flight_key, time_hour, carrier, flight, _source_file, _row_number
    from {{ ref('silver_flights') }}
    {%- if is_incremental() %}
    where {{ lake_in_months('_partition_month', months) }}
    {%- endif %}
),

valid_deletes as (
    select distinct keyed.time_hour, keyed.carrier, keyed.flight
    from keyed
    left join {{ ref('silver_flights_quarantine') }} as quarantine
        on keyed._source_file = quarantine._source_file
        and keyed._row_number = quarantine._row_number
    where keyed.change_type = 'delete' and quarantine._source_file is null
),

classified as (
    select
        keyed.stream,
        keyed._source_file,
        keyed._row_number,
        keyed.time_hour,
        keyed.carrier,
        keyed.flight,
        case
            when quarantine._source_file is not null then 'quarantined'
            when current_rows._source_file is not null then 'current'
            when keyed.change_type = 'delete' then 'delete instruction'
            when silver_key.flight_key is not null then 'superseded'
            when valid_deletes.flight is not null then 'deleted'
            else 'unaccounted'
        end as status,
        quarantine.failed_rule,
        keyed._partition_month,
        keyed._ingested_at
    from keyed
    left join {{ ref('silver_flights_quarantine') }} as quarantine
        on keyed._source_file = quarantine._source_file
        and keyed._row_number = quarantine._row_number
    left join silver as current_rows
        on keyed._source_file = current_rows._source_file
        and keyed._row_number = current_rows._row_number
    left join silver as silver_key
        on keyed.time_hour = silver_key.time_hour
        and keyed.carrier = silver_key.carrier
        and keyed.flight = silver_key.flight
    left join valid_deletes
        on keyed.time_hour = valid_deletes.time_hour
        and keyed.carrier = valid_deletes.carrier
        and keyed.flight = valid_deletes.flight
)

select * from classified
