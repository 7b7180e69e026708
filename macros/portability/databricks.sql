{#- Databricks (Spark SQL, ANSI mode) implementations of the portability macros. Requires the
    session time zone UTC (the SQL warehouse default): timestamps are instants shown in it. -#}

{#- try_cast: a plain cast raises CAST_INVALID_INPUT under ANSI mode. -#}
{% macro databricks__lake_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ lake_type(type) }})
{%- endmacro %}

{% macro databricks__lake_parse_utc_timestamp(expr) -%}
    try_cast({{ lake_clean_text(expr) }} as timestamp)
{%- endmacro %}

{#- 2013-02-30 is not a date: try_to_timestamp gives null where to_date would raise. -#}
{% macro databricks__lake_make_date(year, month, day) -%}
    cast(try_to_timestamp(
        concat({{ lake_clean_text(year) }}, '-', {{ lake_clean_text(month) }}, '-', {{ lake_clean_text(day) }}),
        'y-M-d'
    ) as date)
{%- endmacro %}

{% macro databricks__lake_file_date(expr) -%}
    try_cast(nullif(regexp_extract({{ expr }}, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '') as date)
{%- endmacro %}

{% macro databricks__lake_local_to_utc(local_timestamp, tz_expr, known_zones=[]) -%}
    to_utc_timestamp({{ local_timestamp }}, {{ tz_expr }})
{%- endmacro %}

{% macro databricks__lake_utc_to_local(utc_timestamp, tz_expr) -%}
    from_utc_timestamp({{ utc_timestamp }}, {{ tz_expr }})
{%- endmacro %}
