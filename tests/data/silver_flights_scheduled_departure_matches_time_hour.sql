-- time_hour is the delivered scheduled departure hour in UTC; the departure silver computes
-- from the local sched_dep_time and the origin's time zone must fall in that same hour
-- (catches wrong time zones and daylight saving mistakes).
-- Checks the partitions this build wrote (get_where_subquery; the whole table under `dbt test`).
select
    flight_key,
    time_hour,
    carrier,
    flight,
    origin,
    flight_date,
    sched_dep_time,
    sched_dep_at_utc
from {{ get_where_subquery(ref('silver_flights')) }}
where {{ dbt.date_trunc('hour', 'sched_dep_at_utc') }} <> time_hour
