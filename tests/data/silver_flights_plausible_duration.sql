-- Gate-to-gate time (arr_at_utc - dep_at_utc) must be plausible. With an air time, it is at
-- least the air time (a plane cannot land before it has flown) and at most the air time plus
-- 5 hours of taxiing and holding; a time zone off by an hour breaks the lower bound. Without an
-- air time (diversions), it is between 20 minutes and 24 hours.
-- Checks the partitions this build wrote (get_where_subquery; the whole table under `dbt test`).
with durations as (

    select
        flight_key,
        time_hour,
        carrier,
        flight,
        origin,
        dest,
        dep_at_utc,
        arr_at_utc,
        air_time,
        {{ dbt.datediff('dep_at_utc', 'arr_at_utc', 'minute') }} as elapsed_minutes
    from {{ get_where_subquery(ref('silver_flights')) }}
    where
        dep_at_utc is not null
        and arr_at_utc is not null

)

select
    flight_key,
    time_hour,
    carrier,
    flight,
    origin,
    dest,
    dep_at_utc,
    arr_at_utc,
    air_time,
    elapsed_minutes
from durations
where
    (air_time is not null and (elapsed_minutes < air_time or elapsed_minutes > air_time + 300))
    or (air_time is null and (elapsed_minutes < 20 or elapsed_minutes > 24 * 60))
