{#- Engine-specific SQL lives here, dispatched per adapter, so models stay portable.
    Only the DuckDB (default) implementations exist so far; Databricks and Synapse add theirs. -#}

{#- A delivered value as text with the client's missing markers ('', 'NA') turned into null. -#}
{% macro lake_clean_text(expr) -%}
    {{ return(adapter.dispatch('lake_clean_text', 'lakehouse')(expr)) }}
{%- endmacro %}
{% macro default__lake_clean_text(expr) -%}
    nullif(nullif(trim({{ expr }}), ''), 'NA')
{%- endmacro %}

{#- Cast that yields null instead of failing (Databricks plain cast raises under ANSI mode). -#}
{% macro lake_try_cast(expr, type) -%}
    {{ return(adapter.dispatch('lake_try_cast', 'lakehouse')(expr, type)) }}
{%- endmacro %}
{% macro default__lake_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}
{#- DuckDB rounds text like '2.5' to the integer 3 (Spark and T-SQL refuse it): integer types
    only take integer text, so a column the client retyped to decimals is quarantined, not
    silently rounded. -#}
{% macro duckdb__lake_try_cast(expr, type) -%}
    {%- if type | lower in ('tinyint', 'smallint', 'int', 'integer', 'bigint') -%}
    try_cast(case when regexp_full_match({{ expr }}, '\s*[+-]?[0-9]+\s*') then {{ expr }} end as {{ type }})
    {%- else -%}
    try_cast({{ expr }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{#- Parse a delivered text value into `type`; null for missing markers and unparseable text. -#}
{% macro lake_parse(expr, type) -%}
    {{ lake_try_cast(lake_clean_text(expr), type) }}
{%- endmacro %}

{#- True (as a case-when, for portability) when a value is present but does not parse as `type`. -#}
{% macro lake_unparseable(expr, type) -%}
    ({{ lake_clean_text(expr) }} is not null and {{ lake_parse(expr, type) }} is null)
{%- endmacro %}

{#- Parse an ISO-8601 UTC timestamp such as 2013-01-01T10:00:00Z. -#}
{% macro lake_parse_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('lake_parse_utc_timestamp', 'lakehouse')(expr)) }}
{%- endmacro %}
{% macro default__lake_parse_utc_timestamp(expr) -%}
    try_cast({{ lake_clean_text(expr) }} as timestamp with time zone)
{%- endmacro %}

{#- A calendar date from year, month, day texts; null when they do not make a real date
    (2013-02-30). -#}
{% macro lake_make_date(year, month, day) -%}
    {{ return(adapter.dispatch('lake_make_date', 'lakehouse')(year, month, day)) }}
{%- endmacro %}
{% macro default__lake_make_date(year, month, day) -%}
    cast(try_strptime(
        {{ lake_clean_text(year) }} || '-' || {{ lake_clean_text(month) }} || '-' || {{ lake_clean_text(day) }},
        '%Y-%m-%d'
    ) as date)
{%- endmacro %}

{#- The delivery date a landing file name carries (planes_2013-07-01.csv -> 2013-07-01). -#}
{% macro lake_file_date(expr) -%}
    {{ return(adapter.dispatch('lake_file_date', 'lakehouse')(expr)) }}
{%- endmacro %}
{% macro default__lake_file_date(expr) -%}
    try_cast(regexp_extract({{ expr }}, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date)
{%- endmacro %}
