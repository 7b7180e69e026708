{#- Where a model's Delta table lives: <lake root>/<layer>/<model>. DuckDB's lake root is the
    profile's external_root; on Databricks each layer's location_root (dbt_project.yml) is
    <lake root>/<layer>, so both engines read and write the same folders. Names that could
    leave the lake root (a '/' or '..' in an alias or schema) are refused. -#}
{% macro lake_location(relation) -%}
    {%- for part in [relation.schema, relation.identifier] -%}
        {%- if not modules.re.fullmatch('[A-Za-z0-9_]+', part or '') -%}
            {{ exceptions.raise_compiler_error(
                "unsafe lake table name '" ~ part ~ "' for " ~ relation ~ ": schema and table names "
                ~ "(alias) must match [A-Za-z0-9_]+, they become folders under the lake root") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('lake_location', 'lakehouse')(relation)) }}
{%- endmacro %}

{% macro duckdb__lake_location(relation) -%}
    {{ return(adapter.external_root().rstrip('/') ~ '/' ~ relation.schema ~ '/' ~ relation.identifier) }}
{%- endmacro %}

{% macro default__lake_location(relation) -%}
    {{ exceptions.raise_compiler_error(
        "lake_location(" ~ relation ~ "): a table's lake folder is known on the duckdb and "
        ~ "databricks targets, not on " ~ target.type) }}
{%- endmacro %}

{#- The external path dbt-databricks gives the node's table (its location_root and alias). A
    relation of another catalog (a ref deferred to production with --defer) has no node here:
    its folder is production's, which this environment does not know, so that is an error. -#}
{% macro databricks__lake_location(relation) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type in ['model', 'seed', 'snapshot'] and node.database == relation.database
              and node.schema == relation.schema and node.alias == relation.identifier -%}
            {%- if not node.config.get('location_root') -%}
                {{ exceptions.raise_compiler_error(
                    relation ~ " has no location_root: on Databricks every table of the lake is an "
                    ~ "external table under <lake root>/<layer> (dbt_project.yml)") }}
            {%- endif -%}
            {{ return(adapter.compute_external_path(node.config, node)) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(relation ~ " is not a table this build's catalog holds (a ref deferred "
        ~ "to another catalog?): its lake folder is unknown on Databricks; build it in this environment") }}
{%- endmacro %}

{#- True when a Delta log exists at the location: the lake, not the DuckDB catalog, decides
    whether a model is built already. -#}
{% macro lake_delta_exists(location) -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set found = run_query("select count(*) from glob('" ~ (location | replace("'", "''")) ~ "/_delta_log/*')") -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- The landing zone's root (scripts/land.py writes there): the var landing_root, else
    LAKEHOUSE_LANDING_ROOT, else `landing` (`az://landing` when the lake itself is on Azure). -#}
{% macro lake_landing_root() -%}
    {%- set lake_on_azure = (target.get('external_root') or '').startswith(('az://', 'abfs://', 'abfss://')) -%}
    {%- set default = 'az://landing' if lake_on_azure else 'landing' -%}
    {{ return(var('landing_root', env_var('LAKEHOUSE_LANDING_ROOT', default)).rstrip('/')) }}
{%- endmacro %}

{#- Where a model reads an upstream table from: its own lake or, in a slim CI build on DuckDB that
    did not rebuild that table (LAKEHOUSE_DEFER_LAKE_ROOT names production's lake), production's. -#}
{% macro lake_read_location(relation) -%}
    {%- set location = lake_location(relation) -%}
    {%- set prod_root = env_var('LAKEHOUSE_DEFER_LAKE_ROOT', '') if target.type == 'duckdb' else '' -%}
    {%- if prod_root and not lake_delta_exists(location) -%}
        {%- set deferred = prod_root.rstrip('/') ~ '/' ~ relation.schema ~ '/' ~ relation.identifier -%}
        {%- if lake_delta_exists(deferred) -%}{{ return(deferred) }}{%- endif -%}
    {%- endif -%}
    {{ return(location) }}
{%- endmacro %}
