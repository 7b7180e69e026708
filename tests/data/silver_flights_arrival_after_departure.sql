-- A flight lands after it departs: arr_at_utc picks the first day on which the local arrival
-- clock is at or after the actual departure, so an earlier arrival means a wrong time zone or
-- day roll-over in silver_flights.
-- Checks the partitions this build wrote (get_where_subquery; the whole table under `dbt test`).
select
    flight_key,
    time_hour,
    carrier,
    flight,
    origin,
    dest,
    dep_time,
    arr_time,
    dep_at_utc,
    arr_at_utc
from {{ get_where_subquery(ref('silver_flights')) }}
where
    dep_at_utc is not null
    and arr_at_utc is not null
    and arr_at_utc < dep_at_utc
