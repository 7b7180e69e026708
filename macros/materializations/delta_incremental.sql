{#- `incremental` on DuckDB, in dbt-databricks' vocabulary: append, merge (unique_key, optional
    delete_flag_column), insert_overwrite (partitions in the new data and those declared with
    lake_replaced_months); --full-refresh or a missing Delta table means a full rewrite. -#}
{% materialization incremental, adapter='duckdb', supported_languages=['sql', 'python'] %}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- if config.get('contract').enforced and model.language == 'sql' -%}
        {%- do get_assert_columns_equivalent(sql) -%}
    {%- endif -%}
    {%- set spec = lake_write_spec(target_relation, sql, 'incremental') -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {% call statement('main', language='python') -%}
        {{ lake_write_job(spec, model.language, compiled_code) }}
    {%- endcall %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
