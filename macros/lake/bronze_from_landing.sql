{#- Bronze: every row of every new delivery file of a landing stream, values as delivered
    (strings), plus lineage: the file (relative to the landing root), the row number in the
    file, the ingestion time and the batch (dbt invocation) id. Files already in the bronze
    table are not read again. A row the CSV reader cannot parse (too many or too few fields,
    invalid encoding) is kept too, as its raw line with the reason, so silver can quarantine
    it: no delivered row is dropped. The pre-hook reads the files into a temp table; the
    model selects from it. -#}
{% macro bronze_from_landing(table_name) %}
    {{- config(pre_hook=["{{ bronze_load_landing('" ~ table_name ~ "') }}"]) -}}
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
    One read per header layout (union_by_name sniffs every file: 100 ms each); rows keep
    file order, so a streaming row_number numbers them within their file. Rejected rows are
    numbered after the parsed rows of their file. -#}
{% macro lake_load_files_sql(files, declared, into) %}
    {%- set root = lake_landing_root() ~ '/' -%}
    {%- set groups = lake_files_by_header(files) -%}
    {%- set columns = declared[:] -%}
    {%- for header, group in groups -%}
        {%- for column in header -%}
            {%- if column not in columns -%}{%- do columns.append(column) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
drop table if exists {{ into }};
drop table if exists {{ into }}_rejects;
drop table if exists {{ into }}_reject_scans;
create temp table {{ into }} (
    {%- for column in columns %}
    {{ adapter.quote(column) }} varchar,
    {%- endfor %}
    _source_file varchar,
    _row_number bigint,
    _raw_line varchar,
    _rejected_reason varchar
);
{%- for header, group in groups %}
insert into {{ into }} by name
select
    * exclude (filename, _row_in_read),
    substr(filename, {{ root | length + 1 }}) as _source_file,
    _row_in_read - min(_row_in_read) over (partition by filename) + 1 as _row_number
from (
    select
        *,
        row_number() over () as _row_in_read
    from read_csv(
        [{%- for f in group %}'{{ f | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor -%}],
        header = true, all_varchar = true, filename = true, parallel = false,
        store_rejects = true, rejects_table = '{{ into }}_rejects', rejects_scan = '{{ into }}_reject_scans'
    )
) as delivered;
{%- endfor %}
{%- if groups | length > 0 %}
insert into {{ into }} by name
select
    substr(scans.file_path, {{ root | length + 1 }}) as _source_file,
    coalesce(parsed.parsed_rows, 0) + row_number() over (
        partition by scans.file_path order by rejects.line
    ) as _row_number,
    rejects.csv_line as _raw_line,
    cast(rejects.error_type as varchar) || ' at line ' || cast(rejects.line as varchar) || ': '
        || rejects.error_message as _rejected_reason
from (
    -- the reader reports one error per missing column: keep the first per line
    select
        *,
        row_number() over (partition by scan_id, file_id, line order by column_idx) as error_rank
    from {{ into }}_rejects
) as rejects
inner join {{ into }}_reject_scans as scans
    on rejects.scan_id = scans.scan_id and rejects.file_id = scans.file_id
left join (
    select _source_file, count(*) as parsed_rows from {{ into }} group by _source_file
) as parsed
    on parsed._source_file = substr(scans.file_path, {{ root | length + 1 }})
where rejects.error_rank = 1;
{%- endif %}
{% endmacro %}

{#- New files grouped by their header line: a list of (column names, files). -#}
{% macro lake_files_by_header(files) %}
    {%- if files | length == 0 -%}{{ return([]) }}{%- endif -%}
    {%- set query -%}
        select
            -- read as bytes: a file that is not valid UTF-8 must not stop the read (its bad
            -- rows are rejected by read_csv and kept with the reason)
            -- (a blob cast to text escapes bytes: \x0A is the newline, \x22 a double quote)
            replace(replace(replace(split_part(cast(content as varchar), '\x0A', 1),
                '\x0D', ''), '\xEF\xBB\xBF', ''), '\x22', '') as header,
            string_agg(filename, chr(10) order by filename) as files
        from read_blob([{%- for f in files %}'{{ f | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor -%}])
        group by header
        order by min(filename)
    {%- endset -%}
    {%- set groups = [] -%}
    {%- for row in run_query(query) -%}
        {%- set names = [] -%}
        {%- for name in row[0].split(',') -%}
            {%- do names.append(name.strip().strip('"').strip()) -%}
        {%- endfor -%}
        {%- do groups.append((names, row[1].split('\n'))) -%}
    {%- endfor -%}
    {{ return(groups) }}
{% endmacro %}

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

{#- Pre-hook of the audit: every delivered file of each stream into temp table
    lake_delivered_<stream>, read exactly as bronze reads them (malformed rows included). -#}
{% macro lake_load_all_deliveries(streams) %}
    {%- if not execute or target.type != 'duckdb' -%}{{ return('') }}{%- endif -%}
    {%- set statements = [] -%}
    {%- for stream in streams -%}
        {%- set node = graph.sources['source.lakehouse.landing.' ~ stream] -%}
        {%- set files = lake_list_files(lake_landing_root() ~ '/' ~ node.meta.landing_glob) -%}
        {%- do statements.append(lake_load_files_sql(files, node.columns.keys() | list, 'lake_delivered_' ~ stream)) -%}
    {%- endfor -%}
    {{ return(statements | join('\n')) }}
{% endmacro %}

{#- Every file matching a glob, sorted. -#}
{% macro lake_list_files(pattern) %}
    {%- set query = "select file from glob('" ~ (pattern | replace("'", "''")) ~ "') order by file" -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{% endmacro %}
