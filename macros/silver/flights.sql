{#- Every flight row delivered since the model's watermark (daily files and corrections),
    cleaned (clean_<column>, docs/clean_values.md), typed, with the first validation rule it
    fails (null when valid). Shared by silver_flights and silver_flights_quarantine so both
    judge a row the same way. -#}
{% macro silver_flights_checked(watermark_also=none) %}
{%- set numbers = ['year', 'month', 'day', 'dep_time', 'sched_dep_time', 'dep_delay', 'arr_time',
                   'sched_arr_time', 'arr_delay', 'flight', 'air_time', 'distance', 'hour', 'minute'] -%}
{%- set clocks = ['dep_time', 'sched_dep_time', 'arr_time', 'sched_arr_time'] -%}
{%- set raw_columns = silver_delivered_columns('flights') -%}
with delivered as (
    select
        daily.*,
        cast(null as {{ lake_type_string() }}) as raw_change_type,
        1 as _stream_rank
    from ({{ lake_select_raw(ref('bronze_flights'), raw_columns, watermark_also=watermark_also) }}) as daily

    union all

    select
        corrections.*,
        2 as _stream_rank
    from ({{ lake_select_raw(ref('bronze_flight_corrections'), raw_columns + ['change_type'], watermark_also=watermark_also) }}) as corrections
),

cleaned as (
    -- every delivered text cleaned once (lake_clean_text): what typing and the rules read
    select
        delivered.*,
        {%- for c in raw_columns + ['change_type'] %}
        {{ lake_clean_text('raw_' ~ c) }} as clean_{{ c }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from delivered
),

typed as (
    select
        cleaned.*,
        {{ lake_parse_utc_timestamp('raw_time_hour') }} as time_hour,
        clean_carrier as carrier,
        {{ lake_parse('clean_flight', 'integer', cleaned=true) }} as flight,
        {{ lake_make_date('clean_year', 'clean_month', 'clean_day', cleaned=true) }} as flight_date,
        clean_tailnum as tailnum,
        clean_origin as origin,
        clean_dest as dest,
        {%- for c in ['dep_time', 'sched_dep_time', 'arr_time', 'sched_arr_time', 'dep_delay', 'arr_delay', 'air_time', 'distance'] %}
        {{ lake_parse('clean_' ~ c, 'integer', cleaned=true) }} as {{ c }},
        {%- endfor %}
        {{ lake_parse('clean_hour', 'integer', cleaned=true) }} as sched_hour,
        {{ lake_parse('clean_minute', 'integer', cleaned=true) }} as sched_minute,
        case
            when _stream_rank = 1 then 'update'
            else lower(clean_change_type)
        end as change_type
    from cleaned
),

known as (
    -- a flight whose carrier is not in the airline list, or whose origin or destination has
    -- no time zone (its schedule cannot be placed in UTC), is quarantined: silver's tests on
    -- carrier and the UTC times would otherwise stop the build on one client's typo
    select
        typed.*,
        case when airlines.carrier is null then 1 else 0 end as _carrier_unknown,
        case when origin_zones.faa is null then 1 else 0 end as _origin_unzoned,
        case when dest_zones.faa is null then 1 else 0 end as _dest_unzoned
    from typed
    left join (
        select distinct listed.carrier from {{ ref('silver_airlines') }} as listed
    ) as airlines
        on typed.carrier = airlines.carrier
    left join (
        select zoned.faa from {{ ref('silver_airports') }} as zoned where zoned.tzone is not null
        union
        select fallbacks.faa from {{ ref('airport_timezone_fallbacks') }} as fallbacks
    ) as origin_zones
        on typed.origin = origin_zones.faa
    left join (
        select zoned.faa from {{ ref('silver_airports') }} as zoned where zoned.tzone is not null
        union
        select fallbacks.faa from {{ ref('airport_timezone_fallbacks') }} as fallbacks
    ) as dest_zones
        on typed.dest = dest_zones.faa
)

select
    known.*,
    {%- set rules = [
        ('missing key (time_hour, carrier, flight)', 'clean_time_hour is null or carrier is null or clean_flight is null'),
        ('unparseable time_hour', 'time_hour is null'),
    ] -%}
    {%- do rules.extend(lake_text_rules(['carrier', 'tailnum', 'origin', 'dest', 'change_type'])) -%}
    {#- a number is unparseable when its clean text is present and its typed column null -#}
    {%- set typed_as = {'hour': 'sched_hour', 'minute': 'sched_minute'} -%}
    {%- for c in numbers -%}
        {%- if c in ('year', 'month', 'day') -%}
            {%- do rules.append(('unparseable number: ' ~ c, lake_unparseable('clean_' ~ c, 'integer', cleaned=true))) -%}
        {%- else -%}
            {%- do rules.append(('unparseable number: ' ~ c, 'clean_' ~ c ~ ' is not null and ' ~ typed_as.get(c, c) ~ ' is null')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do rules.append(('invalid date (year, month, day)', 'flight_date is null')) -%}
    {%- for c in clocks -%}
        {%- do rules.append(('invalid clock time: ' ~ c, c ~ ' < 0 or ' ~ c ~ ' > 2400 or ' ~ c ~ ' % 100 >= 60')) -%}
    {%- endfor -%}
    {%- do rules.append(('invalid airport code', 'origin is null or dest is null or ' ~ dbt.length('origin') ~ ' <> 3 or ' ~ dbt.length('dest') ~ ' <> 3')) -%}
    {%- do rules.append(('impossible distance', 'distance <= 0 or distance > 6000')) -%}
    {%- do rules.append(('impossible air_time', 'air_time <= 0 or air_time > 1000')) -%}
    {%- do rules.append(('impossible delay', 'dep_delay not between -180 and 2880 or arr_delay not between -180 and 2880')) -%}
    {%- do rules.append(('invalid change_type', "change_type is null or change_type not in ('update', 'delete')")) %}
    {%- do rules.append(('unknown carrier (not in the airline list)', "_carrier_unknown = 1 and change_type <> 'delete'")) %}
    {%- do rules.append(('origin without a time zone', "_origin_unzoned = 1 and change_type <> 'delete'")) %}
    {%- do rules.append(('destination without a time zone', "_dest_unzoned = 1 and change_type <> 'delete'")) %}
    {%- do rules.append(('missing scheduled time', "(sched_dep_time is null or sched_arr_time is null) and change_type <> 'delete'")) %}
    {{ lake_first_failed_rule(rules) }} as _failed_rule
from known
{% endmacro %}

{#- The IANA zones of the airport list and the fallback seed, as a speed hint for
    lake_local_to_utc on DuckDB. Empty at parse time, in unit tests (their inputs are not
    tables) and on the other engines. Values come from client data: lake_sql_string quotes
    them where they are used. -#}
{% macro silver_time_zones_in_use() %}
    {%- set airports, fallbacks = ref('silver_airports'), ref('airport_timezone_fallbacks') -%}
    {%- if not execute or target.type != 'duckdb' or model.resource_type == 'unit_test' -%}
        {{ return([]) }}
    {%- endif -%}
    {%- for relation in [airports, fallbacks] -%}
        {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
            {{ return([]) }}  {#- not built yet (a compile-only run, e.g. the linter) -#}
        {%- endif -%}
    {%- endfor -%}
    {%- set query -%}
        select distinct tzone from (
            select tzone from {{ airports }}
            union all
            select tzone from {{ fallbacks }}
        ) as zones
        where tzone is not null
        order by tzone
    {%- endset -%}
    {{ return(lake_first_column_text(run_query(query))) }}
{% endmacro %}
