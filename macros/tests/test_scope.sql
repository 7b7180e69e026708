{#- Data tests of a lake table check the partitions this invocation wrote.

    dbt wraps the tested relation of every generic test in get_where_subquery; on DuckDB
    this adds the model's written partitions (recorded by lakehouse.delta_writer) to the
    test's own `where`. A key that determines its partition (silver_flights' key holds
    time_hour, whose month is the partition) can only collide inside one partition, so
    `unique`, `not_null`, `accepted_values` and expression tests over the written partitions
    are exact for the table; the partitions not written are unchanged since they passed.
    An unpartitioned table can name a `test_scope_column` whose written values scope its
    tests the same way (bronze: the new delivery files; a row's lineage can only repeat within
    its file). A relationships test scopes its child side only. A test whose verdict on old rows
    can change with other tables sets `meta: {lake_test_whole_table: true}` (rows_accounted_for).
    The whole table is checked when the
    model did not run in this invocation (`dbt test`), and always with
    `--vars '{lake_test_all_rows: true}'`. -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set scope = '' if (config.get('meta') or {}).get('lake_test_whole_table') else lake_test_scope(relation) -%}
    {%- if scope -%}{%- do conditions.append('(' ~ scope ~ ')') -%}{%- endif -%}
    {%- if conditions -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ (conditions | join(' and ')) ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- The predicate selecting the partitions of `relation` written in this invocation (or the
    values of its `test_scope_column`: literals, or a lookup when there are many); empty (the
    whole table) when it was not written in it or was rewritten whole. The plugin creates the
    record table on every connection, so one query per test reads it. -#}
{% macro lake_test_scope(relation) -%}
    {%- if not execute or var('lake_test_all_rows', false) -%}{{ return('') }}{%- endif -%}
    {%- set written -%}
        select partition_column, partition_value
        from main.lake_written_partitions
        where relation = {{ lake_sql_string(relation.render()) }}
            and invocation_id = '{{ invocation_id }}'
    {%- endset -%}
    {%- set rows = run_query(written).rows -%}
    {%- if rows | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set columns = rows | selectattr('0') | map(attribute='0') | list -%}
    {%- if not columns -%}{{ return('1 = 0') }}{%- endif -%}{#- ran, wrote no rows -#}
    {%- set quoted = adapter.quote(columns[0]) -%}
    {%- set parts = [] -%}
    {%- set values = [] -%}
    {%- for partition_column, partition_value in rows if partition_column is not none -%}
        {%- if partition_value is none -%}
            {%- do parts.append(quoted ~ ' is null') -%}
        {%- else -%}
            {%- do values.append(lake_sql_string(partition_value)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if values | length > 1000 -%}{#- e.g. the flights scored after a month's catch-up -#}
        {%- do parts.append('cast(' ~ quoted ~ ' as varchar) in (select partition_value from main.lake_written_partitions where relation = ' ~ lake_sql_string(relation.render()) ~ ' and invocation_id = ' ~ lake_sql_string(invocation_id) ~ ' and partition_column is not null)') -%}
    {%- elif values -%}
        {%- do parts.append(quoted ~ ' in (' ~ (values | join(', ')) ~ ')') -%}
    {%- endif -%}
    {{ return(parts | join(' or ')) }}
{%- endmacro %}

{#- dbt's relationships test, with an opt-in scope for its parent side. A test that sets
    `meta: {lake_same_partition: <column>}` says a child row's parent is in the parent table's
    partition of the same value (flights: the month of time_hour, which the key holds), so the
    parent is read only in the partitions the child rows being tested are in: on a one-day
    build one month of fct_flights instead of ten million keys. Without it, as dbt's. -#}
{% macro duckdb__test_relationships(model, column_name, to, field) %}
{%- set same_partition = (config.get('meta') or {}).get('lake_same_partition') %}

with child as (
    select
        {{ column_name }} as from_field{% if same_partition %},
        {{ adapter.quote(same_partition) }} as from_partition{% endif %}
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
    {%- if same_partition %}
    where {{ adapter.quote(same_partition) }} in (select child.from_partition from child)
    {%- endif %}
)

select
    child.from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null

{% endmacro %}
