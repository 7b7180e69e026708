{#- Partitioned by the month of time_hour, which is part of the key: a merge then reads and
    rewrites only the months a batch touches (a new day: one month). -#}
{{ config(
    unique_key=['_partition_month', 'time_hour', 'carrier', 'flight'],
    partition_by=['_partition_month'],
    delete_flag_column='_is_deleted'
) }}

{#- built after its quarantine, which shares this table's watermark (lake_sibling_watermark);
    a unit test renders the SELECT alone -#}
{%- if model.resource_type != 'unit_test' %}
-- depends_on: {{ ref('silver_flights_quarantine') }}
{%- endif %}
{%- set zones = silver_time_zones_in_use() %}

with checked as (
    {{ silver_flights_checked() }}
),

latest as (
    -- the newest valid version of each flight in this batch window: later batches first,
    -- corrections over daily files, later files and rows over earlier ones
    select
        checked.*,
        row_number() over (
            partition by time_hour, carrier, flight
            order by _ingested_at desc, _stream_rank desc, _source_file desc, _row_number desc
        ) as _version_rank
    from checked
    where _failed_rule is null
),

time_zones as (
    -- the client's airport list first; the seed fills airports it lacks or lists without a zone
    select faa, tzone from {{ ref('silver_airports') }} where tzone is not null
    union all
    select fallbacks.faa, fallbacks.tzone
    from {{ ref('airport_timezone_fallbacks') }} as fallbacks
    where fallbacks.faa not in (
        select airports.faa from {{ ref('silver_airports') }} as airports where airports.tzone is not null
    )
),

scheduled as (
    select
        latest.*,
        origin_tz.tzone as origin_tzone,
        dest_tz.tzone as dest_tzone,
        {{ lake_local_to_utc(lake_clock_on_date('latest.flight_date', 'latest.sched_dep_time'), 'origin_tz.tzone', zones) }} as sched_dep_at_utc,
        {{ lake_local_to_utc(lake_clock_on_date('latest.flight_date', 'latest.sched_arr_time'), 'dest_tz.tzone', zones) }} as sched_arr_same_day_utc,
        {{ lake_local_to_utc(lake_clock_on_date('latest.flight_date', 'latest.arr_time'), 'dest_tz.tzone', zones) }} as arr_same_day_utc
    from latest
    left join time_zones as origin_tz on latest.origin = origin_tz.faa
    left join time_zones as dest_tz on latest.dest = dest_tz.faa
    where latest._version_rank = 1
),

departed as (
    select
        scheduled.*,
        -- actual departure = schedule + delay: exact even when a delay crosses midnight
        case
            when dep_time is not null and dep_delay is not null
                then {{ dbt.dateadd('minute', 'dep_delay', 'sched_dep_at_utc') }}
        end as dep_at_utc,
        -- an arrival clock earlier than the departure means the flight landed on a later day
        {{ lake_local_to_utc(lake_clock_on_date(dbt.dateadd('day', 1, 'flight_date'), 'sched_arr_time'), 'dest_tzone', zones) }} as sched_arr_next_day_utc,
        -- the arrival clock on the next two days, for flights that land after midnight
        {{ lake_local_to_utc(lake_clock_on_date(dbt.dateadd('day', 1, 'flight_date'), 'arr_time'), 'dest_tzone', zones) }} as arr_next_day_utc,
        {{ lake_local_to_utc(lake_clock_on_date(dbt.dateadd('day', 2, 'flight_date'), 'arr_time'), 'dest_tzone', zones) }} as arr_day_after_utc
    from scheduled
),

arrived as (
    -- each conversion is computed once above and only picked here, which keeps the
    -- expressions small for query planners (Spark's constraint propagation)
    select
        departed.*,
        case
            when sched_arr_same_day_utc < sched_dep_at_utc then sched_arr_next_day_utc
            else sched_arr_same_day_utc
        end as sched_arr_at_utc,
        case
            when arr_same_day_utc is null or dep_at_utc is null then null
            when arr_same_day_utc >= dep_at_utc then arr_same_day_utc
            when arr_next_day_utc >= dep_at_utc then arr_next_day_utc
            else arr_day_after_utc
        end as arr_at_utc
    from departed
)

select
    {{ dbt.hash(dbt.concat([lake_timestamp_text('time_hour'), "'|'", 'carrier', "'|'", 'cast(flight as ' ~ lake_type_string() ~ ')'])) }} as flight_key,
    time_hour,
    carrier,
    flight,
    flight_date,
    tailnum,
    origin,
    dest,
    dep_time,
    sched_dep_time,
    arr_time,
    sched_arr_time,
    dep_delay,
    arr_delay,
    air_time,
    distance,
    sched_dep_at_utc,
    dep_at_utc,
    sched_arr_at_utc,
    arr_at_utc,
    case when dep_time is null then {{ lake_true() }} else {{ lake_false() }} end as is_cancelled,
    cast({{ dbt.date_trunc('month', 'time_hour') }} as date) as _partition_month,
    _source_file,
    _row_number,
    _ingested_at,
    _batch_id,
    case when change_type = 'delete' then {{ lake_true() }} else {{ lake_false() }} end as _is_deleted
from arrived
