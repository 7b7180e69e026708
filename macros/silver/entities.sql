{#- The columns each landing stream delivers, in file order: one list for the silver macro
    that types a stream and the quarantine model that keeps its bad rows as delivered. -#}
{% macro silver_delivered_columns(stream) %}
    {%- set columns = {
        'flights': ['year', 'month', 'day', 'dep_time', 'sched_dep_time', 'dep_delay', 'arr_time',
                    'sched_arr_time', 'arr_delay', 'carrier', 'flight', 'tailnum', 'origin', 'dest',
                    'air_time', 'distance', 'hour', 'minute', 'time_hour'],
        'weather': ['origin', 'year', 'month', 'day', 'hour', 'temp', 'dewp', 'humid', 'wind_dir',
                    'wind_speed', 'wind_gust', 'precip', 'pressure', 'visib', 'time_hour'],
        'planes': ['tailnum', 'year', 'type', 'manufacturer', 'model', 'engines', 'seats', 'speed', 'engine'],
        'airports': ['faa', 'name', 'lat', 'lon', 'alt', 'tz', 'dst', 'tzone'],
        'airlines': ['carrier', 'name'],
    } -%}
    {{ return(columns[stream]) }}
{% endmacro %}

{#- Typing and validation of the snapshot and weather streams. Each macro returns every row
    delivered since the calling model's watermark, with raw_<column> (as delivered), the typed
    columns, and _failed_rule (null when the row is valid). -#}

{% macro silver_weather_checked() %}
{%- set numbers = ['temp', 'dewp', 'humid', 'wind_dir', 'wind_speed', 'wind_gust', 'precip', 'pressure', 'visib'] -%}
with delivered as (
    {{ lake_select_raw(ref('bronze_weather'), silver_delivered_columns('weather')) }}
),

typed as (
    select
        delivered.*,
        {{ lake_clean_text('raw_origin') }} as origin,
        {{ lake_parse_utc_timestamp('raw_time_hour') }} as time_hour,
        {{ lake_make_date('raw_year', 'raw_month', 'raw_day') }} as observed_date,
        {{ lake_parse('raw_hour', 'integer') }} as observed_hour,
        {%- for c in numbers %}
        {{ lake_parse('raw_' ~ c, 'double') }} as {{ c }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from delivered
)

{%- set rules = [
    ('missing key (origin, time_hour)', lake_clean_text('raw_origin') ~ ' is null or ' ~ lake_clean_text('raw_time_hour') ~ ' is null'),
    ('unparseable time_hour', 'time_hour is null'),
    ('unparseable number: hour', lake_unparseable('raw_hour', 'integer')),
] -%}
{%- for c in numbers -%}
    {%- do rules.append(('unparseable number: ' ~ c, lake_unparseable('raw_' ~ c, 'double'))) -%}
{%- endfor -%}
{%- do rules.extend([
    ('invalid date (year, month, day)', 'observed_date is null'),
    ('impossible hour', 'observed_hour not between 0 and 23'),
    ('impossible temperature (F)', 'temp not between -80 and 140 or dewp not between -100 and 120'),
    ('impossible humidity', 'humid not between 0 and 100'),
    ('impossible wind direction', 'wind_dir not between 0 and 360'),
    ('impossible wind speed (over 250 mph)', 'wind_speed < 0 or wind_speed > 250 or wind_gust < 0 or wind_gust > 300'),
    ('impossible precipitation', 'precip < 0 or precip > 20'),
    ('impossible pressure (mbar)', 'pressure not between 850 and 1100'),
    ('impossible visibility', 'visib < 0 or visib > 100'),
]) %}

select
    typed.*,
    {{ lake_first_failed_rule(rules) }} as _failed_rule
from typed
{% endmacro %}

{% macro silver_planes_checked(incremental=true) %}
with delivered as (
    {{ lake_select_raw(ref('bronze_planes'), silver_delivered_columns('planes'), incremental) }}
),

typed as (
    select
        delivered.*,
        {{ lake_clean_text('raw_tailnum') }} as tailnum,
        {{ lake_parse('raw_year', 'integer') }} as year_built,
        {{ lake_clean_text('raw_type') }} as type,
        {{ lake_clean_text('raw_manufacturer') }} as manufacturer,
        {{ lake_clean_text('raw_model') }} as model,
        {{ lake_parse('raw_engines', 'integer') }} as engines,
        {{ lake_parse('raw_seats', 'integer') }} as seats,
        {{ lake_parse('raw_speed', 'integer') }} as speed,
        {{ lake_clean_text('raw_engine') }} as engine,
        {{ lake_file_date('_source_file') }} as snapshot_date,
        {{ lake_file_date('_source_file') }} as valid_from
    from delivered
)

select
    typed.*,
    {{ lake_first_failed_rule([
        ('missing key (tailnum)', 'tailnum is null'),
        ('unparseable number: year', lake_unparseable('raw_year', 'integer')),
        ('unparseable number: engines', lake_unparseable('raw_engines', 'integer')),
        ('unparseable number: seats', lake_unparseable('raw_seats', 'integer')),
        ('unparseable number: speed', lake_unparseable('raw_speed', 'integer')),
        ('impossible year built', 'year_built not between 1900 and 2014'),
        ('impossible engines', 'engines not between 0 and 8'),
        ('impossible seats', 'seats not between 1 and 1000'),
        ('impossible speed', 'speed not between 1 and 1000'),
        ('undated snapshot file', 'snapshot_date is null'),
    ]) }} as _failed_rule
from typed
{% endmacro %}

{% macro silver_airports_checked() %}
with delivered as (
    {{ lake_select_raw(ref('bronze_airports'), silver_delivered_columns('airports')) }}
),

typed as (
    select
        delivered.*,
        {{ lake_clean_text('raw_faa') }} as faa,
        {{ lake_clean_text('raw_name') }} as name,
        {{ lake_parse('raw_lat', 'double') }} as lat,
        {{ lake_parse('raw_lon', 'double') }} as lon,
        {{ lake_parse('raw_alt', 'integer') }} as alt,
        {{ lake_parse('raw_tz', 'integer') }} as tz_offset_hours,
        {{ lake_clean_text('raw_dst') }} as dst,
        {{ lake_clean_text('raw_tzone') }} as tzone
    from delivered
)

select
    typed.*,
    {{ lake_first_failed_rule([
        ('missing key (faa)', 'faa is null'),
        ('unparseable number: lat', lake_unparseable('raw_lat', 'double')),
        ('unparseable number: lon', lake_unparseable('raw_lon', 'double')),
        ('unparseable number: alt', lake_unparseable('raw_alt', 'integer')),
        ('unparseable number: tz', lake_unparseable('raw_tz', 'integer')),
        ('impossible coordinates', 'lat not between -90 and 90 or lon not between -180 and 180'),
        ('impossible time zone offset', 'tz_offset_hours not between -12 and 14'),
    ]) }} as _failed_rule
from typed
{% endmacro %}

{% macro silver_airlines_checked() %}
with delivered as (
    {{ lake_select_raw(ref('bronze_airlines'), silver_delivered_columns('airlines')) }}
),

typed as (
    select
        delivered.*,
        {{ lake_clean_text('raw_carrier') }} as carrier,
        {{ lake_clean_text('raw_name') }} as name
    from delivered
)

select
    typed.*,
    {{ lake_first_failed_rule([
        ('missing key (carrier)', 'carrier is null'),
        ('missing name', 'name is null'),
    ]) }} as _failed_rule
from typed
{% endmacro %}

{#- Bronze rows since the watermark: the lineage columns, then each delivered column renamed
    raw_<column> (in the order given, so two streams line up for a union). -#}
{% macro lake_select_raw(relation, columns, incremental=true, watermark_also=none) -%}
    select
        _source_file,
        _row_number,
        _raw_line,
        _rejected_reason,
        _ingested_at,
        _batch_id,
        {%- for c in columns %}
        {{ c }} as raw_{{ c }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {% if incremental %}({{ lake_since_watermark(relation, watermark_also) }}){% else %}{{ relation }}{% endif %} as bronze
{%- endmacro %}
