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
    delivered since the calling model's watermark, with raw_<column> (as delivered),
    clean_<column> (lake_clean_text, docs/clean_values.md), the typed columns, and _failed_rule
    (null when the row is valid). -#}

{% macro silver_weather_checked() %}
{%- set numbers = ['temp', 'dewp', 'humid', 'wind_dir', 'wind_speed', 'wind_gust', 'precip', 'pressure', 'visib'] -%}
with delivered as (
    {{ lake_select_raw(ref('bronze_weather'), silver_delivered_columns('weather')) }}
),

cleaned as (
    select
        delivered.*,
        {%- for c in silver_delivered_columns('weather') %}
        {{ lake_clean_text('raw_' ~ c) }} as clean_{{ c }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from delivered
),

typed as (
    select
        cleaned.*,
        clean_origin as origin,
        {{ lake_parse_utc_timestamp('raw_time_hour') }} as time_hour,
        {{ lake_make_date('clean_year', 'clean_month', 'clean_day', cleaned=true) }} as observed_date,
        {{ lake_parse('clean_hour', 'integer', cleaned=true) }} as observed_hour,
        {%- for c in numbers %}
        {{ lake_parse('clean_' ~ c, 'double', cleaned=true) }} as {{ c }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from cleaned
)

{%- set rules = [
    ('missing key (origin, time_hour)', 'origin is null or clean_time_hour is null'),
    ('unparseable time_hour', 'time_hour is null'),
] + lake_text_rules(['origin']) + [
    ('unparseable number: hour', 'clean_hour is not null and observed_hour is null'),
] -%}
{#- a number is unparseable when its clean text is present and its typed column null -#}
{%- for c in numbers -%}
    {%- do rules.append(('unparseable number: ' ~ c, 'clean_' ~ c ~ ' is not null and ' ~ c ~ ' is null')) -%}
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

cleaned as (
    select
        delivered.*,
        {%- for c in silver_delivered_columns('planes') %}
        {{ lake_clean_text('raw_' ~ c) }} as clean_{{ c }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from delivered
),

typed as (
    select
        cleaned.*,
        clean_tailnum as tailnum,
        {{ lake_parse('clean_year', 'integer', cleaned=true) }} as year_built,
        clean_type as type,
        clean_manufacturer as manufacturer,
        clean_model as model,
        {{ lake_parse('clean_engines', 'integer', cleaned=true) }} as engines,
        {{ lake_parse('clean_seats', 'integer', cleaned=true) }} as seats,
        {{ lake_parse('clean_speed', 'integer', cleaned=true) }} as speed,
        clean_engine as engine,
        {{ lake_file_date('_source_file') }} as snapshot_date,
        {{ lake_file_date('_source_file') }} as valid_from
    from cleaned
)

select
    typed.*,
    {{ lake_first_failed_rule([
        ('missing key (tailnum)', 'tailnum is null'),
    ] + lake_text_rules(['tailnum', 'type', 'manufacturer', 'model', 'engine']) + [
        ('unparseable number: year', 'clean_year is not null and year_built is null'),
        ('unparseable number: engines', 'clean_engines is not null and engines is null'),
        ('unparseable number: seats', 'clean_seats is not null and seats is null'),
        ('unparseable number: speed', 'clean_speed is not null and speed is null'),
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

cleaned as (
    select
        delivered.*,
        {%- for c in silver_delivered_columns('airports') %}
        {{ lake_clean_text('raw_' ~ c) }} as clean_{{ c }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from delivered
),

typed as (
    select
        cleaned.*,
        clean_faa as faa,
        clean_name as name,
        {{ lake_parse('clean_lat', 'double', cleaned=true) }} as lat,
        {{ lake_parse('clean_lon', 'double', cleaned=true) }} as lon,
        {{ lake_parse('clean_alt', 'integer', cleaned=true) }} as alt,
        {{ lake_parse('clean_tz', 'integer', cleaned=true) }} as tz_offset_hours,
        clean_dst as dst,
        clean_tzone as tzone
    from cleaned
)

select
    typed.*,
    {{ lake_first_failed_rule([
        ('missing key (faa)', 'faa is null'),
    ] + lake_text_rules(['faa', 'name', 'dst', 'tzone']) + [
        ('unparseable number: lat', 'clean_lat is not null and lat is null'),
        ('unparseable number: lon', 'clean_lon is not null and lon is null'),
        ('unparseable number: alt', 'clean_alt is not null and alt is null'),
        ('unparseable number: tz', 'clean_tz is not null and tz_offset_hours is null'),
        ('impossible coordinates', 'lat not between -90 and 90 or lon not between -180 and 180'),
        ('impossible time zone offset', 'tz_offset_hours not between -12 and 14'),
    ]) }} as _failed_rule
from typed
{% endmacro %}

{% macro silver_airlines_checked() %}
with delivered as (
    {{ lake_select_raw(ref('bronze_airlines'), silver_delivered_columns('airlines')) }}
),

cleaned as (
    select
        delivered.*,
        {%- for c in silver_delivered_columns('airlines') %}
        {{ lake_clean_text('raw_' ~ c) }} as clean_{{ c }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from delivered
),

typed as (
    select
        cleaned.*,
        clean_carrier as carrier,
        clean_name as name
    from cleaned
)

select
    typed.*,
    {{ lake_first_failed_rule([
        ('missing key (carrier)', 'carrier is null'),
    ] + lake_text_rules(['carrier', 'name']) + [
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
