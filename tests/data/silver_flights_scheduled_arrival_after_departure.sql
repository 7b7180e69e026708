-- The scheduled arrival is after the scheduled departure, and no scheduled flight out of NYC
-- takes more than 16 hours (the longest, to Honolulu, is under 12).
-- Checks the partitions this build wrote (get_where_subquery; the whole table under `dbt test`).
select
    flight_key,
    time_hour,
    carrier,
    flight,
    origin,
    dest,
    sched_dep_time,
    sched_arr_time,
    sched_dep_at_utc,
    sched_arr_at_utc
from {{ get_where_subquery(ref('silver_flights')) }}
where
    sched_arr_at_utc <= sched_dep_at_utc
    or sched_arr_at_utc > {{ dbt.dateadd('hour', 16, 'sched_dep_at_utc') }}
