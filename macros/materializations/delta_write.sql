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
        'sql': sql if model.language == 'sql' else '',
        'mode': mode,
        'partition_by': partition_by,
        'unique_key': unique_key,
        'delete_flag_column': config.get('delete_flag_column'),
        'on_schema_change': config.get('on_schema_change') or 'ignore',
        'not_null_columns': not_null,
        'invocation_id': invocation_id,
        'test_scope_column': config.get('test_scope_column'),
    }) }}
{% endmacro %}

{#- The python job that writes a model's result. For a SQL model the job runs the compiled
    SELECT; for a Python model it is the model's own compiled code, whose DataFrame
    `materialize` registers in DuckDB and hands to the same writer. -#}
{% macro lake_write_job(spec, language='sql', compiled_code='') -%}
{%- if language == 'python' %}
{{ compiled_code }}


# ---- lakehouse: write the model's DataFrame to its Delta table ---------------------------
import json as _lake_json

from lakehouse import delta_writer as _lake_delta_writer

from lakehouse import model_inputs as _lake_model_inputs

dbtObj.lake_checksum = {{ tojson(model.checksum.checksum) }}
dbtObj.lake_full_refresh = {{ 'True' if should_full_refresh() else 'False' }}


def materialize(df, con):
    spec = _lake_delta_writer.WriteSpec.from_json({{ tojson(tojson(spec)) }})
    if isinstance(df, _lake_model_inputs.ModelOutput):  # the model fingerprinted its inputs
        spec.inputs = df.inputs
        if df.frame is None:
            _lake_delta_writer.keep(con, spec)
            return
        df = df.frame
    name = "__lake_python_result_{{ model.name }}"
    if hasattr(df, "create_view"):  # a DuckDB relation
        df.create_view(name, replace=True)
    else:  # pandas, pyarrow
        con.register(name, df)
    try:
        spec.sql = f"select * from {name}"
        _lake_delta_writer.run(con, spec)
    finally:
        con.execute(f"drop view if exists {name}")
{%- else %}
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
{%- endif %}
{%- endmacro %}
