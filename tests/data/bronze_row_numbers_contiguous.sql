-- Within each ingested file, _row_number runs 1..n without gaps or repeats: the lineage points
-- at every delivered row of the file exactly once. Checks the files this build ingested
-- (get_where_subquery on `_source_file`, the bronze tables' test_scope_column; every file
-- under `dbt test`).
{%- set streams = ['flights', 'flight_corrections', 'weather', 'planes', 'airports', 'airlines'] %}

with files as (
    {%- for stream in streams %}

    select
        '{{ stream }}' as stream,
        _source_file,
        count(*) as row_count,
        count(distinct _row_number) as distinct_row_numbers,
        min(_row_number) as first_row_number,
        max(_row_number) as last_row_number
    from {{ get_where_subquery(ref('bronze_' ~ stream)) }}
    group by _source_file
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

)

select
    stream,
    _source_file,
    row_count,
    distinct_row_numbers,
    first_row_number,
    last_row_number
from files
where
    first_row_number <> 1
    or last_row_number <> row_count
    or distinct_row_numbers <> row_count
