{#- Synapse Serverless SQL (T-SQL) implementations of the portability macros. -#}

{% macro synapse__lake_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ lake_type(type) }})
{%- endmacro %}

{% macro synapse__lake_parse_utc_timestamp(expr) -%}
    try_cast({{ lake_clean_text(expr) }} as datetimeoffset)
{%- endmacro %}

{#- `+` (not concat) so a missing part makes the whole date null; zero-padded so the text is
    ISO whatever the delivery's padding; try_cast turns 2013-02-30 into null. -#}
{% macro synapse__lake_make_date(year, month, day) -%}
    try_cast(
        right('0000' + {{ lake_clean_text(year) }}, 4) + '-' + right('00' + {{ lake_clean_text(month) }}, 2)
        + '-' + right('00' + {{ lake_clean_text(day) }}, 2)
        as date)
{%- endmacro %}

{#- No regular expressions in T-SQL: patindex finds the first yyyy-mm-dd. -#}
{% macro synapse__lake_file_date(expr) -%}
    try_cast(substring({{ expr }},
        nullif(patindex('%[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]%', {{ expr }}), 0), 10) as date)
{%- endmacro %}

{#- T-SQL knows Windows time zone names only: the IANA zones of the airport data mapped. -#}
{% macro lake_windows_time_zone(tz_expr) -%}
    {%- set zones = {
        'America/New_York': 'Eastern Standard Time', 'America/Detroit': 'Eastern Standard Time',
        'America/Indiana/Indianapolis': 'US Eastern Standard Time', 'America/Chicago': 'Central Standard Time',
        'America/Denver': 'Mountain Standard Time', 'America/Phoenix': 'US Mountain Standard Time',
        'America/Boise': 'Mountain Standard Time', 'America/Los_Angeles': 'Pacific Standard Time',
        'America/Anchorage': 'Alaskan Standard Time', 'America/Juneau': 'Alaskan Standard Time',
        'America/Nome': 'Alaskan Standard Time', 'America/Adak': 'Aleutian Standard Time',
        'Pacific/Honolulu': 'Hawaiian Standard Time', 'America/Puerto_Rico': 'SA Western Standard Time',
        'America/St_Thomas': 'SA Western Standard Time', 'Asia/Chongqing': 'China Standard Time',
        'UTC': 'UTC',
    } -%}
    case {{ tz_expr }}
        {%- for iana, windows in zones.items() %}
        when '{{ iana }}' then '{{ windows }}'
        {%- endfor %}
    end
{%- endmacro %}

{% macro synapse__lake_local_to_utc(local_timestamp, tz_expr, known_zones=[]) -%}
    ((cast({{ local_timestamp }} as datetime2(6)) at time zone {{ lake_windows_time_zone(tz_expr) }}) at time zone 'UTC')
{%- endmacro %}

{% macro synapse__lake_utc_to_local(utc_timestamp, tz_expr) -%}
    cast(({{ utc_timestamp }} at time zone {{ lake_windows_time_zone(tz_expr) }}) as datetime2(6))
{%- endmacro %}
