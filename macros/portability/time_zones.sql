{#- Local wall-clock time on a date: HHMM clock values as the client sends them (517 = 05:17,
    2400 = midnight at the end of the day), as a timestamp without zone. -#}
{% macro lake_clock_on_date(date_expr, hhmm_expr) -%}
    {%- set minutes = 'cast((' ~ hhmm_expr ~ ' - ' ~ hhmm_expr ~ ' % 100) / 100 as integer) * 60 + ' ~ hhmm_expr ~ ' % 100' -%}
    {{ dbt.dateadd('minute', minutes, 'cast(' ~ date_expr ~ ' as ' ~ lake_type_timestamp() ~ ')') }}
{%- endmacro %}

{#- Wall-clock time in an IANA time zone (e.g. America/New_York) to an instant (UTC).
    known_zones: zones the data is expected to use (a speed hint, not a restriction): DuckDB
    builds an ICU calendar per row for a zone that varies by row (~10 us), but converts a
    constant zone ~12x faster, so each known zone gets its own branch and any other zone still
    converts row by row. -#}
{% macro lake_local_to_utc(local_timestamp, tz_expr, known_zones=[]) -%}
    {{ return(adapter.dispatch('lake_local_to_utc', 'lakehouse')(local_timestamp, tz_expr, known_zones)) }}
{%- endmacro %}
{% macro default__lake_local_to_utc(local_timestamp, tz_expr, known_zones=[]) -%}
    {%- if known_zones -%}
    case {{ tz_expr }}
        {%- for zone in known_zones %}
        when {{ lake_sql_string(zone) }} then timezone({{ lake_sql_string(zone) }}, {{ local_timestamp }})
        {%- endfor %}
        else timezone({{ tz_expr }}, {{ local_timestamp }})
    end
    {%- else -%}
    timezone({{ tz_expr }}, {{ local_timestamp }})
    {%- endif -%}
{%- endmacro %}

{#- An instant (UTC) shown as wall-clock time in an IANA time zone. -#}
{% macro lake_utc_to_local(utc_timestamp, tz_expr) -%}
    {{ return(adapter.dispatch('lake_utc_to_local', 'lakehouse')(utc_timestamp, tz_expr)) }}
{%- endmacro %}
{% macro default__lake_utc_to_local(utc_timestamp, tz_expr) -%}
    timezone({{ tz_expr }}, {{ utc_timestamp }})
{%- endmacro %}
