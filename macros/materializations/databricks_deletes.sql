{#- Databricks: `delete_flag_column` means what it means on DuckDB (lakehouse/delta_writer.py).
    dbt-databricks' merge knows no delete flag: it would upsert flagged rows and store the
    flag. These overrides of dbt's dispatched macros (the root project wins the dispatch)
    make a flagged row delete its key, keep the flag column out of the table, and leave
    every model without a delete_flag_column to dbt-databricks' own macros. -#}

{#- The model's delete flag column, or none (SQL models only: Python models write their
    frame as it is). -#}
{% macro lake_delete_flag(language='sql') -%}
    {%- set flag = config.get('delete_flag_column') -%}
    {{ return(flag if flag and language == 'sql' else none) }}
{%- endmacro %}

{#- The first build (and --full-refresh): flagged rows are left out, the flag is not stored.
    The incremental work view (temporary) keeps both: the merge needs the flag. -#}
{% macro databricks__create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {%- set flag = lake_delete_flag(language) -%}
    {%- if flag and not temporary -%}
        {%- set compiled_code = lake_without_deleted(compiled_code, flag) -%}
    {%- endif -%}
    {{ dbt.databricks__create_table_as(temporary, relation, compiled_code, language) }}
{%- endmacro %}

{#- The model's rows that are not flagged, without the flag column (`* except` is Databricks
    SQL and Spark 4 SQL). A null flag counts as not deleted. -#}
{% macro lake_without_deleted(compiled_code, flag) -%}
select * except ({{ adapter.quote(flag) }})
from (
{{ compiled_code }}
) as lake_model_rows
where not coalesce({{ adapter.quote(flag) }}, false)
{%- endmacro %}

{#- The incremental run: the work view's columns include the flag, the table's do not; that is
    no schema change. -#}
{% macro databricks__check_for_schema_changes(source_relation, target_relation) %}
    {%- set changes = dbt.default__check_for_schema_changes(source_relation, target_relation) -%}
    {%- set flag = lake_delete_flag(model['language']) -%}
    {%- if not flag -%}
        {{ return(changes) }}
    {%- endif -%}
    {%- set added = [] -%}
    {%- for column in changes['source_not_in_target'] if column.name | lower != flag | lower -%}
        {%- do added.append(column) -%}
    {%- endfor -%}
    {%- set source_columns = [] -%}
    {%- for column in changes['source_columns'] if column.name | lower != flag | lower -%}
        {%- do source_columns.append(column) -%}
    {%- endfor -%}
    {%- do changes.update({
        'source_not_in_target': added,
        'source_columns': source_columns,
        'schema_changed': (added or changes['target_not_in_source'] or changes['new_target_types']) | length > 0
    }) -%}
    {{ return(changes) }}
{% endmacro %}

{#- The incremental merge with deletes: a flagged row deletes its key; an unflagged row updates
    its key when a value changed, or is inserted; a flagged row with no match is dropped.
    The flag column is neither updated nor inserted. -#}
{% macro databricks__get_incremental_merge_sql(arg_dict) %}
    {%- set flag = lake_delete_flag(model['language']) -%}
    {%- if not flag -%}
        {{ return(dbt.default__get_incremental_merge_sql(arg_dict)) }}
    {%- endif -%}
    {{ return(lake_merge_with_deletes(
        arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], flag,
        arg_dict['incremental_predicates']
    )) }}
{% endmacro %}

{% macro lake_merge_with_deletes(target, source, unique_key, flag, incremental_predicates=none) %}
    {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
    {%- if not keys -%}
        {{ exceptions.raise_compiler_error(
            model['name'] ~ ": delete_flag_column '" ~ flag ~ "' needs a unique_key to merge on") }}
    {%- endif -%}
    {%- set source_names = adapter.get_columns_in_relation(source) | map(attribute='name') | list -%}
    {%- if flag | lower not in source_names | map('lower') | list -%}
        {{ exceptions.raise_compiler_error(
            model['name'] ~ ": delete_flag_column '" ~ flag ~ "' is not a column of the model's"
            ~ " result (columns: " ~ source_names | join(', ') ~ ")") }}
    {%- endif -%}
    {%- set lower_keys = keys | map('lower') | list -%}
    {%- set data = [] -%}
    {%- for name in source_names if name | lower != flag | lower -%}
        {%- do data.append(name) -%}
    {%- endfor -%}
    {%- set values = [] -%}
    {%- for name in data if name | lower not in lower_keys -%}
        {%- do values.append(name) -%}
    {%- endfor -%}
    {%- set on = [] + (incremental_predicates or []) -%}
    {%- for key in keys -%}
        {%- do on.append('DBT_INTERNAL_SOURCE.' ~ adapter.quote(key) ~ ' <=> DBT_INTERNAL_DEST.' ~ adapter.quote(key)) -%}
    {%- endfor -%}
    {%- set deleted = 'coalesce(DBT_INTERNAL_SOURCE.' ~ adapter.quote(flag) ~ ', false)' -%}
merge into {{ target }} as DBT_INTERNAL_DEST
using {{ source }} as DBT_INTERNAL_SOURCE
on {{ on | join('\n    and ') }}
when matched and {{ deleted }} then delete
{%- if values %}
when matched and (
    {%- for name in values %}
    not (DBT_INTERNAL_DEST.{{ adapter.quote(name) }} <=> DBT_INTERNAL_SOURCE.{{ adapter.quote(name) }}){% if not loop.last %} or{% endif %}
    {%- endfor %}
) then update set
    {%- for name in values %}
    {{ adapter.quote(name) }} = DBT_INTERNAL_SOURCE.{{ adapter.quote(name) }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endif %}
when not matched and not {{ deleted }} then insert (
    {%- for name in data %}{{ adapter.quote(name) }}{% if not loop.last %}, {% endif %}{% endfor -%}
) values (
    {%- for name in data %}DBT_INTERNAL_SOURCE.{{ adapter.quote(name) }}{% if not loop.last %}, {% endif %}{% endfor -%}
)
{% endmacro %}
