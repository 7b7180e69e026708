{#- On DuckDB a model is a view over its Delta table, so dbt's default check (is the relation
    a table?) is always false. Ask the lake instead: an incremental model is incremental when
    its Delta table exists, whatever the DuckDB file says. -#}
{% macro is_incremental() %}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if model.config.materialized != 'incremental' or should_full_refresh() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if target.type == 'duckdb' -%}
        {{ return(lake_delta_exists(lake_location(this))) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.table) -%}
    {{ return(relation is not none and relation.type == 'table') }}
{% endmacro %}
