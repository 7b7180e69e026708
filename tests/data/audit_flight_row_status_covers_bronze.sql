-- audit_flight_row_status classifies every bronze flight row exactly once: its row count per
-- stream equals the bronze table's.
with bronze_counts as (

    select 'flights' as stream, count(*) as bronze_rows from {{ ref('bronze_flights') }}
    union all
    select 'flight_corrections' as stream, count(*) as bronze_rows from {{ ref('bronze_flight_corrections') }}

),

audit_counts as (

    select
        stream,
        count(*) as audited_rows
    from {{ ref('audit_flight_row_status') }}
    group by stream

)

select
    bronze_counts.stream,
    bronze_counts.bronze_rows,
    coalesce(audit_counts.audited_rows, 0) as audited_rows
from bronze_counts
left join audit_counts on bronze_counts.stream = audit_counts.stream
where bronze_counts.bronze_rows <> coalesce(audit_counts.audited_rows, 0)
