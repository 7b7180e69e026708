{#- Synapse Serverless SQL cannot create tables, merge, insert, update or delete: it reads the
    lake and writes views, or Parquet through CETAS. So on target type synapse:
      - table and incremental models become views (an incremental merge model's full-refresh
        SELECT already computes the current state: merge-on-read), or with
        config(synapse_cetas=true) a CETAS external table of Parquet files;
      - seeds become views over their rows (small reference data, inline VALUES);
      - Python models are skipped with a message (serverless runs no Python).
    Every statement is wrapped in EXEC so it runs as its own batch (CREATE VIEW must be the
    first statement of a batch). -#}

{% macro synapse_serverless_view_sql(relation, sql) -%}
EXEC('create or alter view {{ relation.include(database=false) }} as {{ sql | replace("'", "''") }}')
{%- endmacro %}

{#- CETAS: Parquet files under <cloud lake root>/<schema>/<name>/ (the folder must be empty:
    serverless never overwrites files; the run removes the external table definition first). -#}
{% macro synapse_serverless_cetas_sql(relation, sql) -%}
{%- set location = relation.schema ~ '/' ~ relation.identifier ~ '/' -%}
IF OBJECT_ID('{{ relation.include(database=false) }}', 'U') IS NOT NULL EXEC('drop external table {{ relation.include(database=false) }}');
EXEC('create external table {{ relation.include(database=false) }} with (location = ''{{ location }}'', data_source = [{{ var("synapse_data_source", "lake") }}], file_format = [{{ var("synapse_file_format", "parquet") }}]) as {{ sql | replace("'", "''") }}')
{%- endmacro %}

{% macro synapse_serverless_build(target_relation) %}
    {%- if model.language == 'python' -%}
        {%- set message = 'Python model ' ~ model.name ~ ' skipped on Synapse Serverless: serverless SQL runs no Python (build it on DuckDB or Databricks)' -%}
        {{ log(message, info=true) }}
        {%- call noop_statement('main', message, 'SKIPPED') -%}{%- endcall -%}
        {{ return({'relations': []}) }}
    {%- endif -%}
    {{ run_hooks(pre_hooks) }}
    {%- if config.get('synapse_cetas', false) -%}
        {%- set relation = target_relation.incorporate(type='table') -%}
        {%- call statement('main') -%}{{ synapse_serverless_cetas_sql(relation, sql) }}{%- endcall -%}
    {%- else -%}
        {%- set relation = target_relation.incorporate(type='view') -%}
        {%- call statement('main') -%}{{ synapse_serverless_view_sql(relation, sql) }}{%- endcall -%}
    {%- endif -%}
    {%- do apply_grants(relation, config.get('grants'), should_revoke=false) -%}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [relation]}) }}
{% endmacro %}

{% materialization table, adapter='synapse', supported_languages=['sql', 'python'] %}
    {{ return(synapse_serverless_build(this)) }}
{% endmaterialization %}

{% materialization incremental, adapter='synapse', supported_languages=['sql', 'python'] %}
    {{ return(synapse_serverless_build(this)) }}
{% endmaterialization %}

{% materialization view, adapter='synapse' %}
    {{ return(synapse_serverless_build(this)) }}
{% endmaterialization %}

{#- A seed as a view over its rows: values are text as in the CSV (cast in the models). -#}
{% materialization seed, adapter='synapse' %}
    {%- set agate_table = load_agate_table() -%}
    {%- set columns = agate_table.column_names -%}
    {%- set rows = [] -%}
    {%- for row in agate_table.rows -%}
        {%- set values = [] -%}
        {%- for value in row -%}
            {%- if value is none -%}{%- do values.append('null') -%}
            {%- else -%}{%- do values.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}{%- endif -%}
        {%- endfor -%}
        {%- do rows.append('(' ~ values | join(', ') ~ ')') -%}
    {%- endfor -%}
    {%- set seed_sql -%}
select {% for c in columns %}cast(seed_rows.[{{ c }}] as varchar(8000)) as [{{ c }}]{% if not loop.last %}, {% endif %}{% endfor %}
from (values {{ rows | join(', ') }}) as seed_rows ({% for c in columns %}[{{ c }}]{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endset -%}
    {%- set relation = this.incorporate(type='view') -%}
    {%- call statement('main') -%}{{ synapse_serverless_view_sql(relation, seed_sql) }}{%- endcall -%}
    {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}
    {{ return({'relations': [relation]}) }}
{% endmaterialization %}
