{#- The rows of an upstream lake table that arrived after everything this model holds.
    Reprocessing a suffix of batches is idempotent (the merge keeps the latest version per key
    and skips unchanged rows), so a watermark that lags, e.g. when the last batch only
    deleted rows, costs time but never correctness. -#}
{% macro lake_since_watermark(relation, watermark_also=none) -%}
    select * from {{ relation }}
    {%- if is_incremental() %}
    where _ingested_at > (
        select coalesce(max(_ingested_at), cast('1900-01-01 00:00:00+00:00' as {{ lake_type_timestamp_tz() }}))
        from (
            select max(_ingested_at) as _ingested_at from {{ this }}
            {%- if watermark_also is not none %}
            union all
            select max(_ingested_at) as _ingested_at from {{ watermark_also }}
            {%- endif %}
        ) as watermarks
    )
    {%- endif %}
{%- endmacro %}

{#- The silver model whose watermark a quarantine model shares: a quarantine holds only failed
    rows, so its own newest row can be many batches old and its watermark would make every build
    re-check those batches. The silver model is built after its quarantine (depends_on), so its
    newest row marks the last batch both have seen. Read without ref() (that would be a cycle);
    none when the table does not exist yet. -#}
{% macro lake_sibling_watermark(identifier) -%}
    {%- if not execute or not is_incremental() -%}{{ return(none) }}{%- endif -%}
    {{ return(adapter.get_relation(this.database, this.schema, identifier)) }}
{%- endmacro %}

{#- The first failed rule of a row, or null: rules is a list of (name, condition) pairs. A row
    the CSV reader could not parse (bronze _rejected_reason) fails before any rule. -#}
{% macro lake_first_failed_rule(rules) -%}
    case
        when _rejected_reason is not null then {{ dbt.concat(["'malformed row: '", '_rejected_reason']) }}
        {%- for name, condition in rules %}
        when {{ condition }} then '{{ name }}'
        {%- endfor %}
    end
{%- endmacro %}
