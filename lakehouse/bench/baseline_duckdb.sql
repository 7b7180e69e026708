-- Baseline (a) of the scale benchmark (issue #8): the lakehouse's silver and gold
-- transformations as ONE hand-written DuckDB script writing Parquet. No dbt, no Delta, no
-- incremental state: it rebuilds everything from the landing CSVs each time, which is the
-- engine's own speed limit for the same work.
--
-- The logic follows models/silver/*, macros/silver/* and models/gold/* (their full-refresh
-- SELECTs); lakehouse/bench/baselines.py runs it and tests/python/test_baselines.py checks
-- that it gives the dbt lake's rows. Placeholders (a dollar sign and a name) that
-- baselines.py fills in: landing (the landing root), out (the output folder), work (its
-- scratch folder), fallbacks
-- (seeds/airport_timezone_fallbacks.csv), batch_id (this run), and for each stream
-- <stream>_files (its CSV glob) and <stream>_columns (its contract columns, all varchar).
-- Each output is COPY'd to <out>/<model>.parquet; later steps read that file back, as the
-- dbt models read their upstream tables, so no step holds a whole table in memory.

set TimeZone = 'UTC';

-- ---------------------------------------------------------------------------------------
-- Value parsing, as the portability macros do on DuckDB (macros/portability/casts.sql)
-- ---------------------------------------------------------------------------------------

-- a delivered value with the client's missing markers ('', 'NA') as null
create temp macro clean(v) as nullif(nullif(trim(v), ''), 'NA');
-- integers only from integer text ('2.5' is unparseable, not rounded)
create temp macro parse_int(v) as
    try_cast(case when regexp_full_match(clean(v), '\s*[+-]?[0-9]+\s*') then clean(v) end as integer);
create temp macro parse_double(v) as try_cast(clean(v) as double);
create temp macro bad_int(v) as (clean(v) is not null and parse_int(v) is null);
create temp macro bad_double(v) as (clean(v) is not null and parse_double(v) is null);
-- the same on text already cleaned (flights: each value is cleaned and parsed once)
create temp macro int_text(c) as
    try_cast(case when regexp_full_match(c, '\s*[+-]?[0-9]+\s*') then c end as integer);
create temp macro make_date(y, m, d) as
    cast(try_strptime(clean(y) || '-' || clean(m) || '-' || clean(d), '%Y-%m-%d') as date);
-- HHMM clock (517 = 05:17, 2400 = midnight ending the day) on a date, wall-clock time
create temp macro clock_on_date(d, hhmm) as
    cast(d as timestamp) + cast(cast((hhmm - hhmm % 100) / 100 as integer) * 60 + hhmm % 100 as bigint)
        * interval 1 minute;
-- wall-clock time in an IANA zone -> instant (ICU)
create temp macro local_to_utc(local_ts, tz) as timezone(tz, local_ts);

-- ---------------------------------------------------------------------------------------
-- Bronze stand-ins: every delivered row as delivered (all varchar) with bronze's lineage:
-- the file relative to the landing root and the row number in that file (rows are read in
-- file order, parallel = false, as bronze reads them). Columns are the landing contract,
-- read by position without sniffing each file (baselines.py checked every header).
-- ---------------------------------------------------------------------------------------

create temp macro landing_file(path) as substr(path, length('$landing') + 2);

create temp table run_info as
select current_timestamp as ingested_at, '$batch_id' as batch_id;

create view bronze_flights as
select
    * exclude (filename, _row_in_read),
    landing_file(filename) as _source_file,
    _row_in_read - min(_row_in_read) over (partition by filename) + 1 as _row_number
from (
    select *, row_number() over () as _row_in_read
    from read_csv('$flights_files', columns = $flights_columns,
        header = true, auto_detect = false, filename = true, parallel = false)
);

create view bronze_flight_corrections as
select
    * exclude (filename, _row_in_read),
    landing_file(filename) as _source_file,
    _row_in_read - min(_row_in_read) over (partition by filename) + 1 as _row_number
from (
    select *, row_number() over () as _row_in_read
    from read_csv('$flight_corrections_files', columns = $flight_corrections_columns,
        header = true, auto_detect = false, filename = true, parallel = false)
);

create view bronze_weather as
select
    * exclude (filename, _row_in_read),
    landing_file(filename) as _source_file,
    _row_in_read - min(_row_in_read) over (partition by filename) + 1 as _row_number
from (
    select *, row_number() over () as _row_in_read
    from read_csv('$weather_files', columns = $weather_columns,
        header = true, auto_detect = false, filename = true, parallel = false)
);

create view bronze_airports as
select
    * exclude (filename, _row_in_read),
    landing_file(filename) as _source_file,
    _row_in_read - min(_row_in_read) over (partition by filename) + 1 as _row_number
from (
    select *, row_number() over () as _row_in_read
    from read_csv('$airports_files', columns = $airports_columns,
        header = true, auto_detect = false, filename = true, parallel = false)
);

create view bronze_airlines as
select
    * exclude (filename, _row_in_read),
    landing_file(filename) as _source_file,
    _row_in_read - min(_row_in_read) over (partition by filename) + 1 as _row_number
from (
    select *, row_number() over () as _row_in_read
    from read_csv('$airlines_files', columns = $airlines_columns,
        header = true, auto_detect = false, filename = true, parallel = false)
);

create view bronze_planes as
select
    * exclude (filename, _row_in_read),
    landing_file(filename) as _source_file,
    _row_in_read - min(_row_in_read) over (partition by filename) + 1 as _row_number
from (
    select *, row_number() over () as _row_in_read
    from read_csv('$planes_files', columns = $planes_columns,
        header = true, auto_detect = false, filename = true, parallel = false)
);

-- ---------------------------------------------------------------------------------------
-- Reference snapshots (macros/silver/snapshots.sql, full build): the newest snapshot file
-- lists the current keys; each gets its newest valid row. Invalid rows are quarantined.
-- ---------------------------------------------------------------------------------------

create temp table airports_checked as
select
    faa as raw_faa, name as raw_name, lat as raw_lat, lon as raw_lon, alt as raw_alt,
    tz as raw_tz, dst as raw_dst, tzone as raw_tzone,
    _source_file, _row_number,
    clean(faa) as faa,
    clean(name) as name,
    parse_double(lat) as lat,
    parse_double(lon) as lon,
    parse_int(alt) as alt,
    parse_int(tz) as tz_offset_hours,
    clean(dst) as dst,
    clean(tzone) as tzone,
    case
        when clean(faa) is null then 'missing key (faa)'
        when bad_double(lat) then 'unparseable number: lat'
        when bad_double(lon) then 'unparseable number: lon'
        when bad_int(alt) then 'unparseable number: alt'
        when bad_int(tz) then 'unparseable number: tz'
        when parse_double(lat) not between -90 and 90 or parse_double(lon) not between -180 and 180
            then 'impossible coordinates'
        when parse_int(tz) not between -12 and 14 then 'impossible time zone offset'
    end as failed_rule
from bronze_airports;

copy (
    select
        faa, name, lat, lon, alt, tz_offset_hours, dst, tzone,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from airports_checked, run_info
    where failed_rule is null
        and faa in (
            select faa from airports_checked
            where _source_file = (select max(_source_file) from airports_checked)
        )
    qualify row_number() over (partition by faa order by _source_file desc, _row_number desc) = 1
) to '$out/silver_airports.parquet' (format parquet);

copy (
    select
        raw_faa as faa, raw_name as name, raw_lat as lat, raw_lon as lon, raw_alt as alt,
        raw_tz as tz, raw_dst as dst, raw_tzone as tzone, failed_rule, null::varchar as _raw_line,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from airports_checked, run_info
    where failed_rule is not null
) to '$out/silver_airports_quarantine.parquet' (format parquet);

create temp table airlines_checked as
select
    carrier as raw_carrier, name as raw_name, _source_file, _row_number,
    clean(carrier) as carrier,
    clean(name) as name,
    case
        when clean(carrier) is null then 'missing key (carrier)'
        when clean(name) is null then 'missing name'
    end as failed_rule
from bronze_airlines;

copy (
    select
        carrier, name,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from airlines_checked, run_info
    where failed_rule is null
        and carrier in (
            select carrier from airlines_checked
            where _source_file = (select max(_source_file) from airlines_checked)
        )
    qualify row_number() over (partition by carrier order by _source_file desc, _row_number desc) = 1
) to '$out/silver_airlines.parquet' (format parquet);

copy (
    select
        raw_carrier as carrier, raw_name as name, failed_rule, null::varchar as _raw_line,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from airlines_checked, run_info
    where failed_rule is not null
) to '$out/silver_airlines_quarantine.parquet' (format parquet);

create temp table planes_checked as
select
    tailnum as raw_tailnum, year as raw_year, type as raw_type, manufacturer as raw_manufacturer,
    model as raw_model, engines as raw_engines, seats as raw_seats, speed as raw_speed,
    engine as raw_engine, _source_file, _row_number,
    clean(tailnum) as tailnum,
    parse_int(year) as year_built,
    clean(type) as type,
    clean(manufacturer) as manufacturer,
    clean(model) as model,
    parse_int(engines) as engines,
    parse_int(seats) as seats,
    parse_int(speed) as speed,
    clean(engine) as engine,
    -- the delivery date in the file name (planes_2013-07-01.csv)
    try_cast(regexp_extract(_source_file, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date) as valid_from,
    case
        when clean(tailnum) is null then 'missing key (tailnum)'
        when bad_int(year) then 'unparseable number: year'
        when bad_int(engines) then 'unparseable number: engines'
        when bad_int(seats) then 'unparseable number: seats'
        when bad_int(speed) then 'unparseable number: speed'
        when parse_int(year) not between 1900 and 2014 then 'impossible year built'
        when parse_int(engines) not between 0 and 8 then 'impossible engines'
        when parse_int(seats) not between 1 and 1000 then 'impossible seats'
        when parse_int(speed) not between 1 and 1000 then 'impossible speed'
        when try_cast(regexp_extract(_source_file, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date) is null
            then 'undated snapshot file'
    end as failed_rule
from bronze_planes;

copy (
    select
        tailnum, year_built, type, manufacturer, model, engines, seats, speed, engine, valid_from,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from planes_checked, run_info
    where failed_rule is null
        and tailnum in (
            select tailnum from planes_checked
            where _source_file = (select max(_source_file) from planes_checked)
        )
    qualify row_number() over (partition by tailnum order by _source_file desc, _row_number desc) = 1
) to '$out/silver_planes.parquet' (format parquet);

copy (
    select
        raw_tailnum as tailnum, raw_year as year, raw_type as type, raw_manufacturer as manufacturer,
        raw_model as model, raw_engines as engines, raw_seats as seats, raw_speed as speed,
        raw_engine as engine, failed_rule, null::varchar as _raw_line,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from planes_checked, run_info
    where failed_rule is not null
) to '$out/silver_planes_quarantine.parquet' (format parquet);

-- ---------------------------------------------------------------------------------------
-- Weather (macros/silver/entities.sql silver_weather_checked): newest valid row per
-- (origin, time_hour), later files and rows first.
-- ---------------------------------------------------------------------------------------

create view weather_checked as
select
    *,
    case
        when clean(raw_origin) is null or clean(raw_time_hour) is null then 'missing key (origin, time_hour)'
        when time_hour is null then 'unparseable time_hour'
        when bad_int(raw_hour) then 'unparseable number: hour'
        when bad_double(raw_temp) then 'unparseable number: temp'
        when bad_double(raw_dewp) then 'unparseable number: dewp'
        when bad_double(raw_humid) then 'unparseable number: humid'
        when bad_double(raw_wind_dir) then 'unparseable number: wind_dir'
        when bad_double(raw_wind_speed) then 'unparseable number: wind_speed'
        when bad_double(raw_wind_gust) then 'unparseable number: wind_gust'
        when bad_double(raw_precip) then 'unparseable number: precip'
        when bad_double(raw_pressure) then 'unparseable number: pressure'
        when bad_double(raw_visib) then 'unparseable number: visib'
        when observed_date is null then 'invalid date (year, month, day)'
        when observed_hour not between 0 and 23 then 'impossible hour'
        when temp not between -80 and 140 or dewp not between -100 and 120 then 'impossible temperature (F)'
        when humid not between 0 and 100 then 'impossible humidity'
        when wind_dir not between 0 and 360 then 'impossible wind direction'
        when wind_speed < 0 or wind_speed > 250 or wind_gust < 0 or wind_gust > 300
            then 'impossible wind speed (over 250 mph)'
        when precip < 0 or precip > 20 then 'impossible precipitation'
        when pressure not between 850 and 1100 then 'impossible pressure (mbar)'
        when visib < 0 or visib > 100 then 'impossible visibility'
    end as failed_rule
from (
    select
        origin as raw_origin, year as raw_year, month as raw_month, day as raw_day, hour as raw_hour,
        temp as raw_temp, dewp as raw_dewp, humid as raw_humid, wind_dir as raw_wind_dir,
        wind_speed as raw_wind_speed, wind_gust as raw_wind_gust, precip as raw_precip,
        pressure as raw_pressure, visib as raw_visib, time_hour as raw_time_hour,
        _source_file, _row_number,
        clean(origin) as origin,
        try_cast(clean(time_hour) as timestamp with time zone) as time_hour,
        make_date(year, month, day) as observed_date,
        parse_int(hour) as observed_hour,
        parse_double(temp) as temp,
        parse_double(dewp) as dewp,
        parse_double(humid) as humid,
        parse_double(wind_dir) as wind_dir,
        parse_double(wind_speed) as wind_speed,
        parse_double(wind_gust) as wind_gust,
        parse_double(precip) as precip,
        parse_double(pressure) as pressure,
        parse_double(visib) as visib
    from bronze_weather
);

copy (
    select
        origin, time_hour, observed_date, observed_hour, temp, dewp, humid, wind_dir, wind_speed,
        wind_gust, precip, pressure, visib,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from weather_checked, run_info
    where failed_rule is null
    qualify row_number() over (
        partition by origin, time_hour order by _source_file desc, _row_number desc
    ) = 1
) to '$out/silver_weather.parquet' (format parquet);

copy (
    select
        raw_origin as origin, raw_year as year, raw_month as month, raw_day as day, raw_hour as hour,
        raw_temp as temp, raw_dewp as dewp, raw_humid as humid, raw_wind_dir as wind_dir,
        raw_wind_speed as wind_speed, raw_wind_gust as wind_gust, raw_precip as precip,
        raw_pressure as pressure, raw_visib as visib, raw_time_hour as time_hour,
        failed_rule, null::varchar as _raw_line,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from weather_checked, run_info
    where failed_rule is not null
) to '$out/silver_weather_quarantine.parquet' (format parquet);

-- ---------------------------------------------------------------------------------------
-- Flights (macros/silver/flights.sql, models/silver/silver_flights*.sql): daily files and
-- corrections together, typed, first failed rule; the newest valid version per
-- (time_hour, carrier, flight) wins (corrections over daily files, later files and rows
-- over earlier ones); a newest version that is a delete removes the flight.
-- Each value is cleaned and parsed once (the rules test the parsed values), and the checked
-- rows are staged in a Parquet work file that the quarantine and silver read.
-- ---------------------------------------------------------------------------------------

copy (
    with delivered as (
        select
            year as raw_year, month as raw_month, day as raw_day, dep_time as raw_dep_time,
            sched_dep_time as raw_sched_dep_time, dep_delay as raw_dep_delay, arr_time as raw_arr_time,
            sched_arr_time as raw_sched_arr_time, arr_delay as raw_arr_delay, carrier as raw_carrier,
            flight as raw_flight, tailnum as raw_tailnum, origin as raw_origin, dest as raw_dest,
            air_time as raw_air_time, distance as raw_distance, hour as raw_hour, minute as raw_minute,
            time_hour as raw_time_hour, null::varchar as raw_change_type,
            _source_file, _row_number, 1 as stream_rank
        from bronze_flights
        union all
        select
            year, month, day, dep_time, sched_dep_time, dep_delay, arr_time, sched_arr_time,
            arr_delay, carrier, flight, tailnum, origin, dest, air_time, distance, hour, minute,
            time_hour, change_type,
            _source_file, _row_number, 2 as stream_rank
        from bronze_flight_corrections
    ),

    cleaned as (
        select
            *,
            clean(raw_year) as year_text, clean(raw_month) as month_text, clean(raw_day) as day_text,
            clean(raw_dep_time) as dep_time_text, clean(raw_sched_dep_time) as sched_dep_time_text,
            clean(raw_dep_delay) as dep_delay_text, clean(raw_arr_time) as arr_time_text,
            clean(raw_sched_arr_time) as sched_arr_time_text, clean(raw_arr_delay) as arr_delay_text,
            clean(raw_flight) as flight_text, clean(raw_air_time) as air_time_text,
            clean(raw_distance) as distance_text, clean(raw_hour) as hour_text,
            clean(raw_minute) as minute_text, clean(raw_time_hour) as time_hour_text
        from delivered
    ),

    typed as (
        select
            *,
            try_cast(time_hour_text as timestamp with time zone) as time_hour,
            clean(raw_carrier) as carrier,
            int_text(flight_text) as flight,
            cast(try_strptime(year_text || '-' || month_text || '-' || day_text, '%Y-%m-%d') as date)
                as flight_date,
            clean(raw_tailnum) as tailnum,
            clean(raw_origin) as origin,
            clean(raw_dest) as dest,
            int_text(dep_time_text) as dep_time,
            int_text(sched_dep_time_text) as sched_dep_time,
            int_text(arr_time_text) as arr_time,
            int_text(sched_arr_time_text) as sched_arr_time,
            int_text(dep_delay_text) as dep_delay,
            int_text(arr_delay_text) as arr_delay,
            int_text(air_time_text) as air_time,
            int_text(distance_text) as distance,
            int_text(year_text) as year_number,
            int_text(month_text) as month_number,
            int_text(day_text) as day_number,
            int_text(hour_text) as hour_number,
            int_text(minute_text) as minute_number,
            case when stream_rank = 1 then 'update' else lower(clean(raw_change_type)) end as change_type
        from cleaned
    )

    select
        raw_year, raw_month, raw_day, raw_dep_time, raw_sched_dep_time, raw_dep_delay, raw_arr_time,
        raw_sched_arr_time, raw_arr_delay, raw_carrier, raw_flight, raw_tailnum, raw_origin,
        raw_dest, raw_air_time, raw_distance, raw_hour, raw_minute, raw_time_hour,
        _source_file, _row_number, stream_rank,
        time_hour, carrier, flight, flight_date, tailnum, origin, dest, dep_time, sched_dep_time,
        arr_time, sched_arr_time, dep_delay, arr_delay, air_time, distance, change_type,
        case
            when time_hour_text is null or carrier is null or flight_text is null
                then 'missing key (time_hour, carrier, flight)'
            when time_hour is null then 'unparseable time_hour'
            when year_text is not null and year_number is null then 'unparseable number: year'
            when month_text is not null and month_number is null then 'unparseable number: month'
            when day_text is not null and day_number is null then 'unparseable number: day'
            when dep_time_text is not null and dep_time is null then 'unparseable number: dep_time'
            when sched_dep_time_text is not null and sched_dep_time is null
                then 'unparseable number: sched_dep_time'
            when dep_delay_text is not null and dep_delay is null then 'unparseable number: dep_delay'
            when arr_time_text is not null and arr_time is null then 'unparseable number: arr_time'
            when sched_arr_time_text is not null and sched_arr_time is null
                then 'unparseable number: sched_arr_time'
            when arr_delay_text is not null and arr_delay is null then 'unparseable number: arr_delay'
            when flight_text is not null and flight is null then 'unparseable number: flight'
            when air_time_text is not null and air_time is null then 'unparseable number: air_time'
            when distance_text is not null and distance is null then 'unparseable number: distance'
            when hour_text is not null and hour_number is null then 'unparseable number: hour'
            when minute_text is not null and minute_number is null then 'unparseable number: minute'
            when flight_date is null then 'invalid date (year, month, day)'
            when dep_time < 0 or dep_time > 2400 or dep_time % 100 >= 60 then 'invalid clock time: dep_time'
            when sched_dep_time < 0 or sched_dep_time > 2400 or sched_dep_time % 100 >= 60
                then 'invalid clock time: sched_dep_time'
            when arr_time < 0 or arr_time > 2400 or arr_time % 100 >= 60 then 'invalid clock time: arr_time'
            when sched_arr_time < 0 or sched_arr_time > 2400 or sched_arr_time % 100 >= 60
                then 'invalid clock time: sched_arr_time'
            when origin is null or dest is null or length(origin) <> 3 or length(dest) <> 3
                then 'invalid airport code'
            when distance <= 0 or distance > 6000 then 'impossible distance'
            when air_time <= 0 or air_time > 1000 then 'impossible air_time'
            when dep_delay not between -180 and 2880 or arr_delay not between -180 and 2880
                then 'impossible delay'
            when change_type is null or change_type not in ('update', 'delete') then 'invalid change_type'
        end as failed_rule
    from typed
) to '$work/flights_checked.parquet' (format parquet);

copy (
    select
        raw_year as year, raw_month as month, raw_day as day, raw_dep_time as dep_time,
        raw_sched_dep_time as sched_dep_time, raw_dep_delay as dep_delay, raw_arr_time as arr_time,
        raw_sched_arr_time as sched_arr_time, raw_arr_delay as arr_delay, raw_carrier as carrier,
        raw_flight as flight, raw_tailnum as tailnum, raw_origin as origin, raw_dest as dest,
        raw_air_time as air_time, raw_distance as distance, raw_hour as hour, raw_minute as minute,
        raw_time_hour as time_hour, change_type, failed_rule, null::varchar as _raw_line,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from '$work/flights_checked.parquet', run_info
    where failed_rule is not null
) to '$out/silver_flights_quarantine.parquet' (format parquet);

-- time zones: the client's airport list first; the seed fills airports it lacks
create temp table time_zones as
select faa, tzone from '$out/silver_airports.parquet' where tzone is not null
union all
select faa, tzone
from read_csv('$fallbacks', header = true, all_varchar = true)
where faa not in (select faa from '$out/silver_airports.parquet' where tzone is not null);

copy (
    with latest as (
        select
            checked.* exclude (raw_year, raw_month, raw_day, raw_dep_time, raw_sched_dep_time,
                raw_dep_delay, raw_arr_time, raw_sched_arr_time, raw_arr_delay, raw_carrier,
                raw_flight, raw_tailnum, raw_origin, raw_dest, raw_air_time, raw_distance,
                raw_hour, raw_minute, raw_time_hour),
            origin_tz.tzone as origin_tzone,
            dest_tz.tzone as dest_tzone
        from '$work/flights_checked.parquet' as checked
        left join time_zones as origin_tz on checked.origin = origin_tz.faa
        left join time_zones as dest_tz on checked.dest = dest_tz.faa
        where checked.failed_rule is null
        qualify row_number() over (
            partition by checked.time_hour, checked.carrier, checked.flight
            order by checked.stream_rank desc, checked._source_file desc, checked._row_number desc
        ) = 1
    ),

    scheduled as (
        select
            *,
            local_to_utc(clock_on_date(flight_date, sched_dep_time), origin_tzone) as sched_dep_at_utc,
            local_to_utc(clock_on_date(flight_date, sched_arr_time), dest_tzone) as sched_arr_same_day_utc,
            local_to_utc(clock_on_date(flight_date, arr_time), dest_tzone) as arr_same_day_utc
        from latest
        where change_type <> 'delete'
    ),

    departed as (
        select
            *,
            -- actual departure = schedule + delay (exact across midnight)
            case
                when dep_time is not null and dep_delay is not null
                    then sched_dep_at_utc + cast(dep_delay as bigint) * interval 1 minute
            end as dep_at_utc,
            -- an arrival clock earlier than the departure: the flight landed on a later day
            case
                when sched_arr_same_day_utc < sched_dep_at_utc
                    then local_to_utc(clock_on_date(flight_date + interval 1 day, sched_arr_time), dest_tzone)
                else sched_arr_same_day_utc
            end as sched_arr_at_utc
        from scheduled
    ),

    arrived as (
        select
            *,
            case
                when arr_same_day_utc is null or dep_at_utc is null then null
                when arr_same_day_utc >= dep_at_utc then arr_same_day_utc
                else local_to_utc(clock_on_date(flight_date + interval 1 day, arr_time), dest_tzone)
            end as arr_within_a_day_utc
        from departed
    )

    select
        md5(strftime(timezone('UTC', time_hour), '%Y-%m-%d %H:%M:%S') || '+00' || '|' || carrier
            || '|' || cast(flight as varchar)) as flight_key,
        time_hour, carrier, flight, flight_date, tailnum, origin, dest, dep_time, sched_dep_time,
        arr_time, sched_arr_time, dep_delay, arr_delay, air_time, distance,
        sched_dep_at_utc,
        dep_at_utc,
        sched_arr_at_utc,
        -- the same day, else the next day, else the day after
        case
            when arr_within_a_day_utc >= dep_at_utc then arr_within_a_day_utc
            when arr_within_a_day_utc is not null
                then local_to_utc(clock_on_date(flight_date + interval 2 day, arr_time), dest_tzone)
        end as arr_at_utc,
        dep_time is null as is_cancelled,
        cast(date_trunc('month', time_hour) as date) as _partition_month,
        _source_file, _row_number, run_info.ingested_at as _ingested_at, run_info.batch_id as _batch_id
    from arrived, run_info
) to '$out/silver_flights.parquet' (format parquet);

-- ---------------------------------------------------------------------------------------
-- Gold (models/gold/*): dimensions, the fact with the weather at departure, aggregates
-- ---------------------------------------------------------------------------------------

copy (
    select cast(carrier as varchar) as carrier, cast(name as varchar) as carrier_name
    from '$out/silver_airlines.parquet'
) to '$out/dim_carriers.parquet' (format parquet);

copy (
    select
        faa, name as airport_name, lat, lon, alt, tzone,
        faa in ('EWR', 'JFK', 'LGA') as is_nyc_origin
    from '$out/silver_airports.parquet'
) to '$out/dim_airports.parquet' (format parquet);

copy (
    select tailnum, year_built, manufacturer, model, engines, seats, engine, type
    from '$out/silver_planes.parquet'
) to '$out/dim_planes.parquet' (format parquet);

copy (
    select
        cast(date_day as date) as date_day,
        cast(year(date_day) as integer) as year,
        cast(month(date_day) as integer) as month,
        cast(day(date_day) as integer) as day_of_month,
        cast(isodow(date_day) as integer) as day_of_week,
        dayname(date_day) as day_name,
        monthname(date_day) as month_name,
        isodow(date_day) in (6, 7) as is_weekend,
        cast(quarter(date_day) as integer) as quarter
    from (
        select unnest(generate_series(min(flight_date), max(flight_date), interval 1 day)) as date_day
        from '$out/silver_flights.parquet'
    )
) to '$out/dim_dates.parquet' (format parquet);

copy (
    select
        flights.flight_key,
        flights.flight_date,
        flights.carrier,
        flights.flight as flight_number,
        flights.origin,
        flights.dest,
        flights.origin || '-' || flights.dest as route,
        flights.tailnum,
        flights.sched_dep_time,
        cast(floor(flights.sched_dep_time / 100) as integer) as sched_dep_hour,
        flights.sched_dep_at_utc,
        flights.dep_at_utc,
        flights.sched_arr_at_utc,
        flights.arr_at_utc,
        flights.dep_delay,
        flights.arr_delay,
        flights.distance,
        flights.air_time,
        flights.is_cancelled,
        case when flights.dep_delay is null then null else flights.dep_delay >= 15 end as is_dep_delayed_15,
        case when flights.arr_delay is null then null else flights.arr_delay >= 15 end as is_delayed_15,
        weather.temp as weather_temp,
        weather.wind_speed as weather_wind_speed,
        weather.precip as weather_precip,
        weather.visib as weather_visib,
        case
            when weather.origin is null then 'unknown'
            when weather.precip > 0 then 'precipitation'
            when weather.visib < 3 then 'low visibility'
            when weather.wind_speed >= 20 then 'windy'
            else 'clear'
        end as weather_condition,
        flights._partition_month,
        flights._ingested_at
    from '$out/silver_flights.parquet' as flights
    left join '$out/silver_weather.parquet' as weather
        on flights.origin = weather.origin and flights.time_hour = weather.time_hour
) to '$out/fct_flights.parquet' (format parquet);

copy (
    select
        flights.carrier,
        carriers.carrier_name,
        flights.month_start,
        flights.flights,
        flights.cancelled,
        cast(flights.on_time as double) / nullif(flights.completed, 0) as on_time_rate,
        flights.avg_arr_delay
    from (
        select
            carrier,
            cast(date_trunc('month', flight_date) as date) as month_start,
            count(*) as flights,
            count(*) filter (where is_cancelled) as cancelled,
            count(arr_delay) as completed,
            count(*) filter (where arr_delay < 15) as on_time,
            avg(arr_delay) as avg_arr_delay
        from '$out/fct_flights.parquet'
        group by carrier, month_start
    ) as flights
    left join '$out/dim_carriers.parquet' as carriers on flights.carrier = carriers.carrier
) to '$out/agg_ontime_by_carrier_month.parquet' (format parquet);

copy (
    select
        origin,
        dest,
        route,
        count(*) as flights,
        cast(count(*) filter (where arr_delay < 15) as double) / nullif(count(arr_delay), 0) as on_time_rate,
        avg(arr_delay) as avg_arr_delay,
        avg(distance) as avg_distance
    from '$out/fct_flights.parquet'
    group by origin, dest, route
) to '$out/agg_ontime_by_route.parquet' (format parquet);

copy (
    select
        sched_dep_hour,
        count(*) as flights,
        avg(dep_delay) as avg_dep_delay,
        avg(arr_delay) as avg_arr_delay,
        cast(count(*) filter (where dep_delay >= 15) as double) / nullif(count(dep_delay), 0)
            as share_dep_delayed_15
    from '$out/fct_flights.parquet'
    group by sched_dep_hour
) to '$out/agg_delay_by_hour.parquet' (format parquet);

copy (
    select
        weather_condition,
        count(*) as flights,
        avg(dep_delay) as avg_dep_delay,
        cast(count(*) filter (where is_cancelled) as double) / nullif(count(*), 0) as cancellation_rate,
        cast(count(*) filter (where dep_delay >= 15) as double) / nullif(count(dep_delay), 0)
            as share_dep_delayed_15
    from '$out/fct_flights.parquet'
    group by weather_condition
) to '$out/agg_delay_by_weather.parquet' (format parquet);
