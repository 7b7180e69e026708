{#- Column types and boolean values, per engine. DuckDB keeps its own spelling (timestamp with
    time zone keeps Delta tables at reader protocol 1); Spark has no varchar without a length
    and no "with time zone"; T-SQL has no boolean type (bit, and no true/false literals), no
    double, and a bare varchar in a cast means varchar(30). -#}

{% macro lake_type_string() -%}{{ return(adapter.dispatch('lake_type_string', 'lakehouse')()) }}{%- endmacro %}
{% macro default__lake_type_string() -%}varchar{%- endmacro %}
{% macro databricks__lake_type_string() -%}string{%- endmacro %}
{% macro synapse__lake_type_string() -%}varchar(8000){%- endmacro %}

{% macro lake_type_float() -%}{{ return(adapter.dispatch('lake_type_float', 'lakehouse')()) }}{%- endmacro %}
{% macro default__lake_type_float() -%}double{%- endmacro %}
{% macro synapse__lake_type_float() -%}float{%- endmacro %}

{#- An instant: DuckDB timestamptz, Spark/Databricks timestamp (an instant shown in the session
    time zone), T-SQL datetimeoffset. -#}
{% macro lake_type_timestamp_tz() -%}{{ return(adapter.dispatch('lake_type_timestamp_tz', 'lakehouse')()) }}{%- endmacro %}
{% macro default__lake_type_timestamp_tz() -%}timestamp with time zone{%- endmacro %}
{% macro databricks__lake_type_timestamp_tz() -%}timestamp{%- endmacro %}
{% macro synapse__lake_type_timestamp_tz() -%}datetimeoffset{%- endmacro %}

{#- A wall-clock time without zone. -#}
{% macro lake_type_timestamp() -%}{{ return(adapter.dispatch('lake_type_timestamp', 'lakehouse')()) }}{%- endmacro %}
{% macro default__lake_type_timestamp() -%}timestamp{%- endmacro %}
{% macro synapse__lake_type_timestamp() -%}datetime2(6){%- endmacro %}

{% macro lake_type_boolean() -%}{{ return(adapter.dispatch('lake_type_boolean', 'lakehouse')()) }}{%- endmacro %}
{% macro default__lake_type_boolean() -%}boolean{%- endmacro %}
{% macro synapse__lake_type_boolean() -%}bit{%- endmacro %}

{#- A type name as the silver macros spell it ('integer', 'double', ...) in the engine's words. -#}
{% macro lake_type(name) -%}
    {%- set portable = {
        'varchar': lake_type_string, 'string': lake_type_string, 'double': lake_type_float,
        'timestamp with time zone': lake_type_timestamp_tz, 'boolean': lake_type_boolean,
        'timestamp': lake_type_timestamp,
    } -%}
    {%- if name in portable -%}{{ return(portable[name]()) }}{%- endif -%}
    {{ return(name) }}
{%- endmacro %}

{#- Boolean values in a select list: true/false literals, bit 1/0 on T-SQL. -#}
{% macro lake_true() -%}{{ return(adapter.dispatch('lake_true', 'lakehouse')()) }}{%- endmacro %}
{% macro default__lake_true() -%}true{%- endmacro %}
{% macro synapse__lake_true() -%}cast(1 as bit){%- endmacro %}

{% macro lake_false() -%}{{ return(adapter.dispatch('lake_false', 'lakehouse')()) }}{%- endmacro %}
{% macro default__lake_false() -%}false{%- endmacro %}
{% macro synapse__lake_false() -%}cast(0 as bit){%- endmacro %}

{#- A boolean column as a condition (T-SQL cannot test a bit column bare). -#}
{% macro lake_is_true(expr) -%}{{ return(adapter.dispatch('lake_is_true', 'lakehouse')(expr)) }}{%- endmacro %}
{% macro default__lake_is_true(expr) -%}{{ expr }}{%- endmacro %}
{% macro synapse__lake_is_true(expr) -%}{{ expr }} = 1{%- endmacro %}

{#- An instant as text, the same on every engine (2013-01-01 10:00:00+00), e.g. for surrogate
    keys: a plain cast to text is engine- and session-time-zone-specific. -#}
{% macro lake_timestamp_text(expr) -%}{{ return(adapter.dispatch('lake_timestamp_text', 'lakehouse')(expr)) }}{%- endmacro %}
{% macro default__lake_timestamp_text(expr) -%}
    strftime(timezone('UTC', {{ expr }}), '%Y-%m-%d %H:%M:%S') || '+00'
{%- endmacro %}
{% macro databricks__lake_timestamp_text(expr) -%}
    date_format(to_utc_timestamp({{ expr }}, current_timezone()), 'yyyy-MM-dd HH:mm:ss') || '+00'
{%- endmacro %}
{% macro synapse__lake_timestamp_text(expr) -%}
    convert(varchar(19), switchoffset({{ expr }}, '+00:00'), 120) + '+00'
{%- endmacro %}
