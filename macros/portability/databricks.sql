{#- Databricks (Spark SQL, ANSI mode) implementations of the portability macros. Requires the
    session time zone UTC (the SQL warehouse default): timestamps are instants shown in it. -#}

{#- Text cleaning (docs/clean_values.md) with Java regular expressions; Spark SQL string
    literals unescape backslashes, hence \\x{...} for the regex's \x{...}. Spark has no
    Unicode normalisation (pyspark 4.3 has no normalize(); proposed upstream as SPARK-58275): lake_text_not_nfc
    quarantines text with combining marks instead. -#}
{% macro databricks__lake_clean_text(expr) -%}
    {%- set chars = lake_text_characters() -%}
    nullif(nullif(trim(regexp_replace(regexp_replace({{ expr }},
        '{{ lake_regex_class(chars.invisible, "\\\\") }}', ''),
        '{{ lake_regex_class(chars.space, "\\\\") }}', ' ')), ''), 'NA')
{%- endmacro %}

{% macro databricks__lake_has_control_character(expr) -%}
    {{ expr }} rlike '{{ lake_regex_class(lake_text_characters().control, "\\\\") }}'
{%- endmacro %}

{#- Combining diacritical marks (U+0300-U+036F): the text may be decomposed (NFD), which
    Spark cannot compose; the row is quarantined rather than kept unequal to its NFC twin. -#}
{% macro databricks__lake_text_not_nfc(expr) -%}
    {{ expr }} rlike '{{ lake_regex_class(lake_text_characters().combining, "\\\\") }}'
{%- endmacro %}

{% macro databricks__lake_number_text(expr, type) -%}
    {%- if lake_is_integer_type(type) -%}
    replace(regexp_extract({{ expr }}, '^([+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+))(\\.0+)?$', 1), ',', '')
    {%- elif lake_is_float_type(type) -%}
    case
        when {{ expr }} rlike '^[+-]?([0-9]{1,3}(,[0-9]{3})+(\\.[0-9]*)?|([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?)$'
            then replace({{ expr }}, ',', '')
    end
    {%- else -%}
    {{ expr }}
    {%- endif -%}
{%- endmacro %}

{#- try_cast: a plain cast raises CAST_INVALID_INPUT under ANSI mode. -#}
{% macro databricks__lake_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ lake_type(type) }})
{%- endmacro %}

{% macro databricks__lake_parse_utc_timestamp(expr) -%}
    try_cast({{ lake_clean_text(expr) }} as timestamp)
{%- endmacro %}

{#- 2013-02-30 is not a date: try_to_timestamp gives null where to_date would raise. -#}
{% macro databricks__lake_make_date(year, month, day, cleaned=false) -%}
    cast(try_to_timestamp(
        concat({{ lake_date_part_text(year, cleaned) }}, '-', {{ lake_date_part_text(month, cleaned) }},
            '-', {{ lake_date_part_text(day, cleaned) }}),
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
