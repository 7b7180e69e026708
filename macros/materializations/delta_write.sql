{#- Shared by the DuckDB `table` and `incremental` materializations: what to write where.
    The write itself is a python job (lakehouse.delta_writer) run on the model's cursor. -#}
{% macro lake_write_spec(relation, sql, materialized) %}
    {%- set file_format = config.get('file_format', 'delta') -%}
    {%- if file_format != 'delta' -%}
        {{ exceptions.raise_compiler_error("Model " ~ model.unique_id ~ ": file_format '" ~ file_format ~ "' is not supported on DuckDB; the lake stores every table as delta") }}
    {%- endif -%}
    {%- set location = lake_location(relation) -%}
    {%- if materialized == 'table' or should_full_refresh() or not lake_delta_exists(location) -%}
        {%- set mode = 'overwrite' -%}
    {%- else -%}
        {%- set mode = config.get('incremental_strategy') or 'append' -%}
    {%- endif -%}
    {%- set not_null = [] -%}
    {%- for name, column in model.columns.items() -%}
        {%- for constraint in column.constraints or [] -%}
            {%- if constraint.type == 'not_null' -%}{%- do not_null.append(column.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- set partition_by = config.get('partition_by') -%}
    {{ return({
        'model': model.unique_id,
        'relation': relation.render(),
        'schema': relation.schema,
        'location': location,
        'sql': sql,
        'mode': mode,
        'partition_by': partition_by,
        'unique_key': unique_key,
        'delete_flag_column': config.get('delete_flag_column'),
        'on_schema_change': config.get('on_schema_change') or 'ignore',
        'not_null_columns': not_null,
    }) }}
{% endmacro %}

{% macro lake_write_job(spec) -%}
from lakehouse import delta_writer

SPEC = {{ tojson(tojson(spec)) }}


class dbtObj:
    def __init__(self, load_df_function):
        self.load_df_function = load_df_function


def model(dbt, con):
    delta_writer.run(con, delta_writer.WriteSpec.from_json(SPEC))
    return con.sql("select 1 as written")


def materialize(df, con):
    pass
{%- endmacro %}
