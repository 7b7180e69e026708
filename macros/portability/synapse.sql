{#- Synapse Serverless SQL (T-SQL) implementations of the portability macros. -#}

{#- Text cleaning without regular expressions (docs/clean_values.md): replace and patindex on
    the text as nvarchar under a binary collation, so characters compare by code point (a
    linguistic collation ignores zero-width characters and orders bracket ranges by sort
    weight). The result goes back to varchar(8000) in the database collation (the type every
    delivered column has): a database with a UTF-8 collation keeps every character. T-SQL has
    no Unicode normalisation: lake_text_not_nfc quarantines text with combining marks. -#}
{% macro lake_tsql_binary_text(expr) -%}
    cast({{ expr }} as nvarchar(4000)) collate Latin1_General_100_BIN2
{%- endmacro %}

{#- A LIKE pattern matching any of the code points anywhere: N'%[' + nchar(1) + N'-' + ... + N']%'
    (no character of the lists is a LIKE metacharacter). -#}
{% macro lake_tsql_any_of(code_points) -%}
    {%- set runs = [] -%}
    {%- for cp in code_points | sort -%}
        {%- if runs and runs[-1][-1] + 1 == cp -%}
            {%- do runs[-1].append(cp) -%}
        {%- else -%}
            {%- do runs.append([cp]) -%}
        {%- endif -%}
    {%- endfor -%}
    N'%['
    {%- for run in runs %} + nchar({{ run[0] }}){% if run | length > 1 %} + N'-' + nchar({{ run[-1] }}){% endif %}{% endfor %} + N']%'
{%- endmacro %}

{% macro synapse__lake_clean_text(expr) -%}
    {%- set chars = lake_text_characters() -%}
    {%- set text = namespace(sql=lake_tsql_binary_text(expr)) -%}
    {%- for cp in chars.invisible -%}
        {%- set text.sql = 'replace(' ~ text.sql ~ ', nchar(' ~ cp ~ "), N'')" -%}
    {%- endfor -%}
    {%- for cp in chars.space -%}
        {%- set text.sql = 'replace(' ~ text.sql ~ ', nchar(' ~ cp ~ "), N' ')" -%}
    {%- endfor -%}
    cast(nullif(nullif(ltrim(rtrim({{ text.sql }})), N''), N'NA') collate database_default as {{ lake_type_string() }})
{%- endmacro %}

{#- NUL apart: a NUL inside a LIKE pattern is not reliable, charindex finds it. -#}
{% macro synapse__lake_has_control_character(expr) -%}
    {%- set control = lake_text_characters().control -%}
    (charindex(nchar(0), {{ lake_tsql_binary_text(expr) }}) > 0
        or patindex({{ lake_tsql_any_of(control | reject('equalto', 0) | list) }}, {{ lake_tsql_binary_text(expr) }}) > 0)
{%- endmacro %}

{% macro synapse__lake_text_not_nfc(expr) -%}
    patindex({{ lake_tsql_any_of(lake_text_characters().combining) }}, {{ lake_tsql_binary_text(expr) }}) > 0
{%- endmacro %}

{#- The number dialect with LIKE patterns. The text holds only digits, signs, commas and one
    point; a sign only first, a digit first or after the sign; a comma comes after 1-3 digits
    (the sign aside) and every comma is followed by exactly 3 digits (the point, or a point
    appended, ends the last group); after the point: zeros for integers (at least one), digits
    for doubles. Doubles without a comma go to try_cast as they are (T-SQL's float syntax:
    digits, point, exponent). -#}
{% macro synapse__lake_number_text(expr, type) -%}
    {%- if not (lake_is_integer_type(type) or lake_is_float_type(type)) -%}
        {{ return(expr) }}
    {%- endif -%}
    {%- set shape -%}
        {{ expr }} not like '%[^0-9,.+-]%'
        and {{ expr }} not like '%.%.%'
        and ({{ expr }} like '[0-9]%' or {{ expr }} like '[+-][0-9]%')
        and substring({{ expr }}, 2, 4000) not like '%[+-]%'
        and (charindex(',', {{ expr }}) = 0 or (
            charindex(',', {{ expr }}) - (case when {{ expr }} like '[+-]%' then 1 else 0 end) between 2 and 4
            and {{ expr }} + '.' not like '%,[^0-9]%'
            and {{ expr }} + '.' not like '%,[0-9][^0-9]%'
            and {{ expr }} + '.' not like '%,[0-9][0-9][^0-9]%'
            and {{ expr }} not like '%,[0-9][0-9][0-9][0-9]%'))
    {%- endset -%}
    {%- if lake_is_integer_type(type) -%}
    case
        when {{ shape }}
            and {{ expr }} not like '%.%[^0]%' and {{ expr }} not like '%.'
            then replace(left({{ expr }} + '.', charindex('.', {{ expr }} + '.') - 1), ',', '')
    end
    {%- else -%}
    case
        when charindex(',', {{ expr }}) = 0 then {{ expr }}
        when {{ shape }} and {{ expr }} not like '%.%[^0-9]%' then replace({{ expr }}, ',', '')
    end
    {%- endif -%}
{%- endmacro %}

{% macro synapse__lake_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ lake_type(type) }})
{%- endmacro %}

{% macro synapse__lake_parse_utc_timestamp(expr) -%}
    try_cast({{ lake_clean_text(expr) }} as datetimeoffset)
{%- endmacro %}

{#- `+` (not concat) so a missing part makes the whole date null; zero-padded so the text is
    ISO whatever the delivery's padding; try_cast turns 2013-02-30 into null. -#}
{% macro synapse__lake_make_date(year, month, day, cleaned=false) -%}
    try_cast(
        right('0000' + {{ lake_date_part_text(year, cleaned) }}, 4) + '-' + right('00' + {{ lake_date_part_text(month, cleaned) }}, 2)
        + '-' + right('00' + {{ lake_date_part_text(day, cleaned) }}, 2)
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
