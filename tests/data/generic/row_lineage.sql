{#- Every row carries its lineage: the lineage columns (bronze_from_landing adds them; silver,
    gold and the audit carry them on) are never null and, with `unique=true`, a delivered row
    (file and row number) appears at most once. One test and one scan per table for what would
    be a not_null test per column and a unique test: a lake table's tests mostly cost dbt's
    per-test overhead, not the query. Returns one row per failure, naming the check it failed. -#}
{% test row_lineage(model, columns=none, unique=false) %}
{%- set columns = columns or ['_source_file', '_row_number', '_ingested_at', '_batch_id'] -%}

with lineage as (
    select
        {%- for column in columns %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}
),

missing as (
    select
        case
            {%- for column in columns %}
            when {{ column }} is null then '{{ column }} is null'
            {%- endfor %}
        end as failed_check,
        _source_file,
        _row_number
    from lineage
    where
        {%- for column in columns %}
        {% if not loop.first %}or {% endif %}{{ column }} is null
        {%- endfor %}
)
{%- if unique %},

repeated as (
    select
        'delivered row appears ' || cast(count(*) as varchar) || ' times' as failed_check,
        _source_file,
        _row_number
    from lineage
    where _source_file is not null and _row_number is not null
    group by
        _source_file,
        _row_number
    having count(*) > 1
)
{%- endif %}

select
    failed_check,
    _source_file,
    _row_number
from missing
{%- if unique %}
union all
select
    failed_check,
    _source_file,
    _row_number
from repeated
{%- endif %}

{% endtest %}
