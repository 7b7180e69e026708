{#- Bronze on the cloud engines: the landing zone is read where it lies (ADLS Gen2), no
    DuckDB pre-hook. What each engine does instead of DuckDB's file-by-file ingestion is in
    the README's engine capability matrix. -#}

{#- The landing zone on ADLS Gen2 (abfss://container@account.dfs.core.windows.net[/path]). -#}
{% macro lake_cloud_landing_root() -%}
    {{ return(env_var('LAKEHOUSE_CLOUD_LANDING_ROOT', 'abfss://landing@lakehouseaccount.dfs.core.windows.net').rstrip('/')) }}
{%- endmacro %}

{#- The same location as an https URL (what OPENROWSET and filepath() use). -#}
{% macro lake_https_url(url) -%}
    {%- set m = modules.re.match('^abfss?://([^@]+)@([^/]+)(/.*)?$', url) -%}
    {%- if m is none -%}{{ return(url) }}{%- endif -%}
    {{ return('https://' ~ m.group(2) ~ '/' ~ m.group(1) ~ (m.group(3) or '')) }}
{%- endmacro %}

{#- The select of a bronze model on a cloud engine. -#}
{% macro lake_bronze_select(table_name) -%}
    {%- if not execute -%}{{ return('select 1 as parsing') }}{%- endif -%}
    {{ return(adapter.dispatch('lake_bronze_select', 'lakehouse')(table_name)) }}
{%- endmacro %}

{% macro default__lake_bronze_select(table_name) -%}
    {{ exceptions.raise_compiler_error('bronze on ' ~ target.type ~ ': no landing reader for this engine') }}
{%- endmacro %}

{#- Every delivered row of a stream, as bronze reads it (the audit's "delivered" side). -#}
{% macro lake_delivered_rows(stream) -%}
    {{ return(adapter.dispatch('lake_delivered_rows', 'lakehouse')(stream)) }}
{%- endmacro %}
{% macro default__lake_delivered_rows(stream) -%}
    {{ exceptions.raise_compiler_error('lake_delivered_rows on ' ~ target.type ~ ': this engine counts delivered rows in the audit pre-hook (lake_delivered_row_counts)') }}
{%- endmacro %}

{#- Per delivered file of a stream: _source_file and parsed_rows, the rows bronze's reader
    delivers from it (the audit's "delivered" side). DuckDB counts them in the audit's
    pre-hook; the cloud engines count the landing reader's rows. -#}
{% macro lake_delivered_row_counts(stream) -%}
    {{ return(adapter.dispatch('lake_delivered_row_counts', 'lakehouse')(stream)) }}
{%- endmacro %}
{% macro default__lake_delivered_row_counts(stream) -%}
    (
        select _source_file, count(*) as parsed_rows
        from {{ lake_delivered_rows(stream) }} as delivered_rows
        group by _source_file
    )
{%- endmacro %}
{% macro duckdb__lake_delivered_row_counts(stream) -%}
    (
        select _source_file, rows_delivered as parsed_rows
        from lake_delivered_{{ stream }}_files
        where verdict = 'read'
    )
{%- endmacro %}
{% macro databricks__lake_delivered_rows(stream) -%}
    ({{ databricks__lake_landing_rows(stream, false) }})
{%- endmacro %}
{% macro synapse__lake_delivered_rows(stream) -%}
    ({{ synapse__lake_landing_rows(stream) }})
{%- endmacro %}

{#- The landing gate's verdict per delivered file of a stream (the audit's file record). The
    gate runs on DuckDB; the cloud engines read every file they list, so each file is 'read'. -#}
{% macro lake_delivered_files(stream) -%}
    {{ return(adapter.dispatch('lake_delivered_files', 'lakehouse')(stream)) }}
{%- endmacro %}
{% macro default__lake_delivered_files(stream) -%}
    lake_delivered_{{ stream }}_files
{%- endmacro %}
{% macro lake_cloud_delivered_files(stream) -%}
    (
        select
            _source_file,
            'read' as verdict,
            cast(null as {{ lake_type_string() }}) as reason,
            cast(null as {{ lake_type_string() }}) as encoding,
            cast(null as {{ lake_type_string() }}) as dialect,
            cast(0 as bigint) as data_lines
        from {{ lake_delivered_rows(stream) }} as delivered_rows
        group by _source_file
    )
{%- endmacro %}
{% macro databricks__lake_delivered_files(stream) -%}{{ lake_cloud_delivered_files(stream) }}{%- endmacro %}
{% macro synapse__lake_delivered_files(stream) -%}{{ lake_cloud_delivered_files(stream) }}{%- endmacro %}

{% macro lake_landing_source(stream) -%}
    {%- if not execute -%}{{ return({'columns': {}, 'meta': {'landing_glob': ''}}) }}{%- endif -%}
    {{ return(graph.sources['source.lakehouse.landing.' ~ stream]) }}
{%- endmacro %}

{#- Databricks: read_files over the stream's glob, every column a string (inferSchema false,
    files merged by header name), lineage from the hidden _metadata column. Rows that do not
    fit land in _rescued_data, kept as _raw_line with a reason. Incrementally, files already in
    the table are skipped. -#}
{% macro databricks__lake_landing_rows(stream, incremental) -%}
    {%- set node = lake_landing_source(stream) -%}
    {%- set root = lake_cloud_landing_root() -%}
    select
        {%- for c in node.columns.keys() %}
        delivered.`{{ c }}`,
        {%- endfor %}
        -- columns outside the contract are not kept here (DuckDB keeps them as JSON)
        cast(null as string) as _extra_fields,
        delivered._source_file,
        cast(row_number() over (
            partition by delivered._source_file order by delivered._read_order
        ) as bigint) as _row_number,
        delivered._rescued_data as _raw_line,
        case
            when delivered._rescued_data is not null then 'fields that do not fit the header: rescued data'
        end as _rejected_reason
    from (
        select
            files.*,
            substr(files._metadata.file_path, {{ root | length + 2 }}) as _source_file,
            monotonically_increasing_id() as _read_order
        from read_files(
            '{{ root }}/{{ node.meta.landing_glob }}',
            format => 'csv',
            header => true,
            inferSchema => false,
            mode => 'PERMISSIVE',
            rescuedDataColumn => '_rescued_data'
        ) as files
    ) as delivered
    {%- if incremental and is_incremental() %}
    where delivered._source_file not in (select distinct ingested._source_file from {{ this }} as ingested)
    {%- endif %}
{%- endmacro %}

{% macro databricks__lake_bronze_select(table_name) -%}
select
    landing_rows.*,
    cast('{{ run_started_at }}' as {{ lake_type_timestamp_tz() }}) as _ingested_at,
    '{{ invocation_id }}' as _batch_id
from ({{ databricks__lake_landing_rows(table_name, true) }}) as landing_rows
{%- endmacro %}

{#- Synapse Serverless: a view over OPENROWSET of the stream's folder; filepath() gives the
    file. Every query reads every delivered file (no ingestion state); a row that does not
    parse fails the query instead of being kept (serverless has no rejected-row capture). -#}
{% macro synapse__lake_landing_rows(stream) -%}
    {%- set node = lake_landing_source(stream) -%}
    {%- set root = lake_https_url(lake_cloud_landing_root()) -%}
    select
        {%- for c in node.columns.keys() %}
        landing_rows.[{{ c }}],
        {%- endfor %}
        cast(null as varchar(8000)) as _extra_fields,
        replace(landing_rows.filepath(), '{{ root }}/', '') as _source_file,
        cast(row_number() over (
            partition by landing_rows.filepath() order by (select null)
        ) as bigint) as _row_number,
        cast(null as varchar(8000)) as _raw_line,
        cast(null as varchar(8000)) as _rejected_reason
    from openrowset(
        bulk '{{ root }}/{{ node.meta.landing_glob }}',
        format = 'CSV',
        parser_version = '2.0',
        header_row = true
    ) with (
        {%- for c in node.columns.keys() %}
        [{{ c }}] varchar(8000){% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as landing_rows
{%- endmacro %}

{% macro synapse__lake_bronze_select(table_name) -%}
select
    landing_rows.*,
    cast('{{ run_started_at }}' as {{ lake_type_timestamp_tz() }}) as _ingested_at,
    '{{ invocation_id }}' as _batch_id
from ({{ synapse__lake_landing_rows(table_name) }}) as landing_rows
{%- endmacro %}
