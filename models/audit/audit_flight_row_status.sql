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
),

keyed as (
    select
        bronze_rows.*,
        {{ lake_parse_utc_timestamp('raw_time_hour') }} as time_hour,
        {{ lake_clean_text('raw_carrier') }} as carrier,
        {{ lake_parse('raw_flight', 'integer') }} as flight
    from bronze_rows
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
        quarantine.failed_rule
    from keyed
    left join {{ ref('silver_flights_quarantine') }} as quarantine
        on keyed._source_file = quarantine._source_file
        and keyed._row_number = quarantine._row_number
    left join {{ ref('silver_flights') }} as current_rows
        on keyed._source_file = current_rows._source_file
        and keyed._row_number = current_rows._row_number
    left join {{ ref('silver_flights') }} as silver_key
        on keyed.time_hour = silver_key.time_hour
        and keyed.carrier = silver_key.carrier
        and keyed.flight = silver_key.flight
    left join valid_deletes
        on keyed.time_hour = valid_deletes.time_hour
        and keyed.carrier = valid_deletes.carrier
        and keyed.flight = valid_deletes.flight
)

select * from classified
