{#- Bronze: every row of every new delivery file of a landing stream, values as delivered
    (strings), plus lineage: the file (relative to the landing root), the row number in the
    file, the ingestion time and the batch (dbt invocation) id. Files already in the bronze
    table are not read again. A row the CSV reader cannot parse (too many or too few fields,
    invalid encoding) is kept too, as its raw line with the reason, so silver can quarantine
    it: no delivered row is dropped. The pre-hook reads the files into a temp table; the
    model selects from it. -#}
{% macro bronze_from_landing(table_name) %}
    {#- a new row can only repeat the lineage of a row of its own file: tests check the new files -#}
    {{- config(
        pre_hook=["{{ bronze_load_landing('" ~ table_name ~ "') }}"],
        test_scope_column='_source_file'
    ) -}}
    {%- set relation = source('landing', table_name) -%}
    {%- if target.type != 'duckdb' -%}{{ return(lake_bronze_select(table_name)) }}{%- endif -%}
select
    *,
    cast('{{ run_started_at }}' as {{ lake_type_timestamp_tz() }}) as _ingested_at,
    '{{ invocation_id }}' as _batch_id
from lake_landing_rows
{% endmacro %}

{#- Pre-hook of a bronze model: the stream's new files into temp table lake_landing_rows. -#}
{% macro bronze_load_landing(table_name) %}
    {%- if not execute or target.type != 'duckdb' -%}{{ return('') }}{%- endif -%}
    {%- set node = graph.sources['source.lakehouse.landing.' ~ table_name] -%}
    {%- set exclude -%}
        select distinct ingested._source_file from {{ this }} as ingested
    {%- endset -%}
    {{ return(lake_read_landing_sql(node, 'lake_landing_rows', exclude if is_incremental() else none)) }}
{% endmacro %}

{#- The landing gate on DuckDB. lake_judge_stream (lakehouse.landing_stage) lists every file
    under the stream's landing folder, whatever its name, leaves out the names `exclude` selects
    (files already ingested or accounted for), and judges each with lakehouse.file_gate; a
    read file's rows are staged as Parquet with the contract's columns. Temp table
    `into`_files gets one row per file: _source_file, verdict, reason, encoding, dialect,
    data_lines, rows_delivered, staged. Without counts_only the rows go to temp table `into`
    (contract columns, _extra_fields, _source_file, _row_number, _raw_line, _rejected_reason)
    and the staged files are deleted. No file name, header or value is ever part of the SQL
    text: they come back as values, and the staged paths in a DuckDB variable. The gate runs
    while the hook is rendered; the returned SQL loads the rows. -#}
{% macro lake_read_landing_sql(node, into, exclude=none, counts_only=false) %}
    {%- set spec = tojson({'columns': node.columns.keys() | list, 'pattern': node.meta.landing_glob}) -%}
    {%- set facts_type = '[{"_source_file": "VARCHAR", "verdict": "VARCHAR", "reason": "VARCHAR", "encoding": "VARCHAR", "dialect": "VARCHAR", "data_lines": "BIGINT", "row_count": "BIGINT", "staged": "VARCHAR"}]' -%}
    {%- set gate -%}
        create or replace temp table {{ into }}_files as
        select
            judged.file._source_file,
            judged.file.verdict,
            judged.file.reason,
            judged.file.encoding,
            judged.file.dialect,
            judged.file.data_lines,
            judged.file.row_count as rows_delivered,
            judged.file.staged
        from (
            select unnest(from_json(lake_judge_stream(
                {{ lake_sql_string(lake_landing_root()) }},
                {{ lake_sql_string(spec) }},
                {% if exclude %}(select coalesce(list(excluded._source_file), []) from ({{ exclude }}) as excluded){% else %}cast([] as varchar[]){% endif %},
                {{ 'false' if counts_only else 'true' }}
            ), '{{ facts_type }}')) as file
        ) as judged
    {%- endset -%}
    {%- do run_query(gate) -%}
{%- set judged = run_query("select _source_file, reason, staged is not null from " ~ into ~ "_files where verdict = 'rejected' or staged is not null order by _source_file") -%}
    {%- set staged = [] -%}
    {%- for row in judged -%}
        {%- if row[2] -%}
            {%- do staged.append(row[0]) -%}
        {%- elif not counts_only -%}
            {{ log('landing gate rejected ' ~ (row[0] | tojson) ~ ': ' ~ (row[1] | tojson), info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if counts_only -%}{{ return('') }}{%- endif -%}
drop table if exists {{ into }};
create temp table {{ into }} (
    {%- for column in node.columns.keys() %}
    {{ adapter.quote(column) }} varchar,
    {%- endfor %}
    _extra_fields varchar,
    _source_file varchar,
    _row_number bigint,
    _raw_line varchar,
    _rejected_reason varchar
);
{%- if staged %}
set variable {{ into }}_staged = (select list(staged order by _source_file) from {{ into }}_files where staged is not null);
insert into {{ into }} by name
select * from read_parquet(getvariable('{{ into }}_staged'));
select count(lake_discard_staged(staged)) from {{ into }}_files where staged is not null;
{%- endif %}
{% endmacro %}

{#- A SQL string literal (or null) for a Python value, safe for every character: quotes are
    doubled, and a value holding a control character is spelled as UTF-8 bytes in hex
    (DuckDB's parser would stop at a NUL and mis-read other controls). -#}
{% macro lake_sql_string(value) -%}
    {%- if value is none -%}null
    {%- elif modules.re.search('[\\x00-\\x1f\\x7f-\\x9f]', value | string) -%}decode(from_hex('{{ (value | string).encode('utf-8', 'surrogateescape').hex() }}'))
    {%- else -%}'{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of the audit: the delivered files of each stream it has not accounted for yet
    (all of them on a first build), judged exactly as bronze judges them (the gate's verdicts
    are cached by content, so this costs a read and a hash per file), into temp table
    lake_delivered_<stream>_files. -#}
{% macro lake_load_all_deliveries(streams) %}
    {%- if not execute or target.type != 'duckdb' -%}{{ return('') }}{%- endif -%}
    {%- for stream in streams -%}
        {%- set node = graph.sources['source.lakehouse.landing.' ~ stream] -%}
        {%- set exclude -%}
            select recorded._source_file from {{ this }} as recorded
            where recorded.stream = '{{ stream }}' and recorded.is_accounted
        {%- endset -%}
        {%- do lake_read_landing_sql(node, 'lake_delivered_' ~ stream, exclude if is_incremental() else none, counts_only=true) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
