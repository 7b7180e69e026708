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
    {%- set root = lake_landing_root() ~ '/' -%}
    {{ return(lake_load_files_sql(lake_new_files(root, node.meta.landing_glob), node.columns.keys() | list, 'lake_landing_rows')) }}
{% endmacro %}

{#- Statements that read CSV files into temp table `into`: the declared columns plus any new
    ones in order of appearance, then _source_file, _row_number, _raw_line, _rejected_reason.
    Files pass the landing gate first (lake_gate_files): the ones it rejects, and empty ones,
    are listed in temp table `into`_files with the reason, never read. The rest are read once
    per header layout, with the dialect and columns the gate found (sniffing costs ~10 ms a
    file: most of the read for daily files); rows keep file order, so
    a streaming row_number numbers them within their file (files are read together only when
    their header, byte order mark, line ending and encoding agree). Rejected rows are numbered after
    the parsed rows of their file.
    With counts_only the rows are not kept: temp table `into`_counts gets, per file, the
    number of rows the same read delivers (parsed and rejected), which is all the landing
    audit needs (5x faster on 10 M rows than numbering and storing them). -#}
{% macro lake_load_files_sql(files, declared, into, counts_only=false) %}
    {%- set gate = lake_gate_files(files, declared) -%}
    {%- set readable = gate | selectattr('verdict', 'equalto', 'read') | list -%}
    {%- set groups = [] -%}
    {%- set columns = declared[:] -%}
    {%- for entry in readable -%}
        {%- for column in entry.header -%}
            {%- if column not in columns -%}{%- do columns.append(column) -%}{%- endif -%}
        {%- endfor -%}
        {%- set key = [entry.header, entry.layout, entry.encoding] -%}
        {%- set matching = groups | selectattr('key', 'equalto', key) | list -%}
        {%- if matching -%}
            {%- do matching[0].entries.append(entry) -%}
        {%- else -%}
            {%- do groups.append({'key': key, 'entries': [entry]}) -%}
        {%- endif -%}
    {%- endfor -%}
drop table if exists {{ into }};
drop table if exists {{ into }}_rejects;
drop table if exists {{ into }}_reject_scans;
drop table if exists {{ into }}_files;
drop table if exists {{ into }}_counts;
create temp table {{ into }}_files (
    _source_file varchar,
    verdict varchar,
    reason varchar,
    encoding varchar,
    data_lines bigint
);
{%- if gate %}
insert into {{ into }}_files values
{%- for entry in gate %}
    ({{ lake_sql_string(entry.name) }}, '{{ entry.verdict }}', {{ lake_sql_string(entry.reason) }},
     {{ lake_sql_string(entry.encoding) }}, {{ entry.data_lines }}){{ ',' if not loop.last else ';' }}
{%- endfor %}
{%- endif %}
{%- if counts_only %}
create temp table {{ into }}_counts (_source_file varchar, delivered_rows bigint);
{%- for group in groups %}
insert into {{ into }}_counts
select {{ lake_source_file_of('filename', group.entries) }} as _source_file, count(*) as delivered_rows
from {{ lake_read_delivery_group(group, into) }}
group by filename;
{%- endfor %}
{%- if groups | length > 0 %}
insert into {{ into }}_counts
select rejects._source_file, count(*) as delivered_rows
from {{ lake_first_reject_per_line(into, readable) }} as rejects
group by rejects._source_file;
{%- endif %}
{%- else %}
create temp table {{ into }} (
    {%- for column in columns %}
    {{ adapter.quote(column) }} varchar,
    {%- endfor %}
    _source_file varchar,
    _row_number bigint,
    _raw_line varchar,
    _rejected_reason varchar
);
{%- for group in groups %}
insert into {{ into }} by name
select
    * exclude (filename, _row_in_read),
    {{ lake_source_file_of('filename', group.entries) }} as _source_file,
    _row_in_read - min(_row_in_read) over (partition by filename) + 1 as _row_number
from (
    select
        *,
        row_number() over () as _row_in_read
    from {{ lake_read_delivery_group(group, into) }}
) as delivered;
{%- endfor %}
{%- if groups | length > 0 %}
insert into {{ into }} by name
select
    rejects._source_file,
    coalesce(parsed.parsed_rows, 0) + row_number() over (
        partition by rejects._source_file order by rejects.line
    ) as _row_number,
    rejects.csv_line as _raw_line,
    cast(rejects.error_type as varchar) || ' at line ' || cast(rejects.line as varchar) || ': '
        || rejects.error_message as _rejected_reason
from {{ lake_first_reject_per_line(into, readable) }} as rejects
left join (
    select _source_file, count(*) as parsed_rows from {{ into }} group by _source_file
) as parsed
    on parsed._source_file = rejects._source_file;
{%- endif %}
{%- endif %}
{% endmacro %}

{#- One read_csv over a group of files that share header, layout and encoding, with the
    dialect and columns the gate found; rejected lines go to `into`_rejects. -#}
{% macro lake_read_delivery_group(group, into) -%}
read_csv(
        [{%- for entry in group.entries %}{{ lake_sql_string(entry.read_path) }}{% if not loop.last %}, {% endif %}{% endfor -%}],
        header = true, auto_detect = false, delim = ',',
        {% if 'noquote' in group.key[1] %}quote = '', escape = '',{% else %}quote = '"', escape = '"',{% endif %}
        new_line = '{{ '\\r\\n' if 'crlf' in group.key[1] else '\\n' }}',
        columns = { {%- for column in group.key[0] %}{{ lake_sql_string(column) }}: 'varchar'{% if not loop.last %}, {% endif %}{% endfor -%} },
        filename = true, parallel = false,
        store_rejects = true, rejects_table = '{{ into }}_rejects', rejects_scan = '{{ into }}_reject_scans'
    )
{%- endmacro %}

{#- The lines the reader rejected, one row per line (it reports one error per missing column:
    the first is kept), with the delivered file's name. -#}
{% macro lake_first_reject_per_line(into, readable) -%}
(
    select scans._source_file, rejects.line, rejects.csv_line, rejects.error_type, rejects.error_message
    from (
        select
            *,
            row_number() over (partition by scan_id, file_id, line order by column_idx) as error_rank
        from {{ into }}_rejects
    ) as rejects
    inner join (
        select scan_id, file_id, {{ lake_source_file_of('file_path', readable) }} as _source_file
        from {{ into }}_reject_scans
    ) as scans
        on rejects.scan_id = scans.scan_id and rejects.file_id = scans.file_id
    where rejects.error_rank = 1
)
{%- endmacro %}

{#- The landing gate. For each file a dict: file (as listed), name (relative to the landing
    root), verdict ('read', 'empty' or 'rejected'), reason, encoding, header, data_lines and
    read_path (a UTF-8 copy for a file in a legacy code page). Rejected: a file name outside
    [A-Za-z0-9._-] (it would end up in SQL and paths), bytes in no known encoding, a header
    that lacks a column of the stream's contract (a renamed or removed column: the rows would
    load as nulls). Empty: no header at all, or a header and no rows. -#}
{% macro lake_gate_files(files, declared) %}
    {%- if files | length == 0 -%}{{ return([]) }}{%- endif -%}
    {%- set root = lake_landing_root() ~ '/' -%}
    {%- set query -%}
        select filename, lake_inspect_delivery(content) as facts
        from read_blob([{%- for f in files %}{{ lake_sql_string(f) }}{% if not loop.last %}, {% endif %}{% endfor -%}])
        order by filename
    {%- endset -%}
    {%- set expected = declared | map('lower') | list -%}
    {%- set verdicts = [] -%}
    {%- for row in run_query(query) -%}
        {%- set facts = fromjson(row[1]) -%}
        {%- set name = row[0][root | length:] if row[0].startswith(root) else row[0] -%}
        {%- set header = facts.header | map('lower') | list -%}
        {%- set missing = expected | reject('in', header) | list -%}
        {%- set verdict, reason = 'read', none -%}
        {%- if not modules.re.fullmatch('[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*', name) -%}
            {%- set verdict, reason = 'rejected', 'unsafe file name: only letters, digits and . _ - are accepted' -%}
        {%- elif facts.encoding is none -%}
            {%- set verdict, reason = 'rejected', 'unknown encoding: neither UTF-8 nor one of LAKEHOUSE_LANDING_ENCODINGS' -%}
        {%- elif header | length == 0 -%}
            {%- set verdict, reason = 'empty', 'empty file: no header, no rows' -%}
        {%- elif missing -%}
            {%- set unexpected = header | reject('in', expected) | list -%}
            {%- set verdict, reason = 'rejected', 'missing columns: ' ~ (missing | join(', ')) ~ (' (unexpected: ' ~ (unexpected | join(', ')) ~ ')' if unexpected else '') -%}
        {%- elif facts.data_lines == 0 -%}
            {%- set verdict, reason = 'empty', 'header only: no rows' -%}
        {%- endif -%}
        {%- if verdict == 'rejected' -%}
            {{ log('landing gate rejected ' ~ (name | replace('\n', '\\n')) ~ ': ' ~ reason, info=true) }}
        {%- endif -%}
        {%- do verdicts.append({
            'file': row[0], 'name': name, 'verdict': verdict, 'reason': reason,
            'encoding': facts.encoding, 'layout': facts.layout, 'header': header, 'data_lines': facts.data_lines,
            'read_path': facts.staged or row[0], 'staged': facts.staged is not none}) -%}
    {%- endfor -%}
    {{ return(verdicts) }}
{% endmacro %}

{#- The delivered file's name (relative to the landing root) for the reader's file column,
    which holds the staged copy's path for a file read from a UTF-8 copy. -#}
{% macro lake_source_file_of(column, entries) -%}
    {%- set root = lake_landing_root() ~ '/' -%}
    {%- set staged = entries | selectattr('staged') | list -%}
    {%- if staged %}
    case
        {%- for entry in staged %}
        when {{ column }} = {{ lake_sql_string(entry.read_path) }} then {{ lake_sql_string(entry.name) }}
        {%- endfor %}
        else substr({{ column }}, {{ root | length + 1 }})
    end
    {%- else -%}
    substr({{ column }}, {{ root | length + 1 }})
    {%- endif -%}
{%- endmacro %}

{#- A SQL string literal (or null) for a value that may contain quotes or newlines. -#}
{% macro lake_sql_string(value) -%}
    {%- if value is none -%}null{%- else -%}'{{ value | string | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}

{#- Landing files matching the glob that the model's bronze table has not ingested yet. -#}
{% macro lake_new_files(root, pattern) %}
    {%- set query -%}
        select file from glob('{{ (root ~ pattern) | replace("'", "''") }}') as delivered
        {%- if is_incremental() %}
        where substr(file, {{ root | length + 1 }}) not in (select distinct _source_file from {{ this }})
        {%- endif %}
        order by file
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{% endmacro %}

{#- Pre-hook of the audit: the delivered files of each stream it has not accounted for yet
    (all of them on a first build), read exactly as bronze reads them (malformed rows
    included), counted per file into temp table lake_delivered_<stream>_counts. -#}
{% macro lake_load_all_deliveries(streams) %}
    {%- if not execute or target.type != 'duckdb' -%}{{ return('') }}{%- endif -%}
    {%- set statements = [] -%}
    {%- set root = lake_landing_root() ~ '/' -%}
    {%- for stream in streams -%}
        {%- set node = graph.sources['source.lakehouse.landing.' ~ stream] -%}
        {%- set query -%}
            select file from glob('{{ (root ~ node.meta.landing_glob) | replace("'", "''") }}') as delivered
            {%- if is_incremental() %}
            where substr(file, {{ root | length + 1 }}) not in (
                select recorded._source_file from {{ this }} as recorded
                where recorded.stream = '{{ stream }}' and recorded.is_accounted
            )
            {%- endif %}
            order by file
        {%- endset -%}
        {%- set files = run_query(query).columns[0].values() | list -%}
        {%- do statements.append(lake_load_files_sql(files, node.columns.keys() | list, 'lake_delivered_' ~ stream, counts_only=true)) -%}
    {%- endfor -%}
    {{ return(statements | join('\n')) }}
{% endmacro %}

