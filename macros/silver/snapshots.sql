{#- Current state from full-snapshot deliveries: the newest snapshot file in the batch window
    wins; its valid rows are upserted, and keys the table holds that the snapshot no longer
    lists are deleted (retired). Invalid rows go to quarantine and leave the current row as
    it was. `checked` is the name of a CTE with typed rows and _failed_rule. -#}
{% macro lake_snapshot_current(checked, key, columns) %}
newest_file as (
    select max(_source_file) as _source_file from {{ checked }}
),

snapshot as (
    select {{ checked }}.*
    from {{ checked }}
    inner join newest_file on {{ checked }}._source_file = newest_file._source_file
),

upserts as (
    -- keys the newest snapshot lists, each with its newest valid row in the window: a row
    -- that fails validation leaves the key as it was, on a full build and incrementally alike
    select
        {%- for c in columns %}
        {{ c }},
        {%- endfor %}
        _source_file,
        _row_number,
        _ingested_at,
        _batch_id,
        {{ lake_false() }} as _is_deleted
    from (
        select
            {{ checked }}.*,
            row_number() over (
                partition by {{ checked }}.{{ key }}
                order by {{ checked }}._source_file desc, {{ checked }}._row_number desc
            ) as _version_rank
        from {{ checked }}
        where {{ checked }}._failed_rule is null
            and {{ checked }}.{{ key }} in (select snapshot.{{ key }} from snapshot)
    ) as ranked
    where _version_rank = 1
)

{%- if is_incremental() %},

retired as (
    select
        {%- for c in columns %}
        current_rows.{{ c }},
        {%- endfor %}
        current_rows._source_file,
        current_rows._row_number,
        current_rows._ingested_at,
        current_rows._batch_id,
        {{ lake_true() }} as _is_deleted
    from {{ this }} as current_rows
    where exists (select 1 from snapshot)
        and not exists (select 1 from snapshot where snapshot.{{ key }} = current_rows.{{ key }})
)
{%- endif %}

select * from upserts
{%- if is_incremental() %}
union all
select * from retired
{%- endif %}
{% endmacro %}

{#- Rows of a checked CTE that failed validation, as delivered, with the rule and lineage. -#}
{% macro lake_quarantine(checked, raw_columns) %}
select
    {%- for c in raw_columns %}
    raw_{{ c }} as {{ c }},
    {%- endfor %}
    _failed_rule as failed_rule,
    _raw_line,
    _source_file,
    _row_number,
    _ingested_at,
    _batch_id
from {{ checked }}
where _failed_rule is not null
{% endmacro %}
