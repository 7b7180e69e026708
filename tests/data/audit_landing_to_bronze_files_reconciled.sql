-- Every landing file the gate passed is in bronze (rows can add up while a file is missing and
-- another is doubled; the file counts catch that), and all six streams are audited.
with audited as (

    select
        stream,
        files_read,
        files_in_bronze
    from {{ ref('audit_landing_to_bronze') }}

),

expected_streams as (

    select 'flights' as stream
    union all select 'flight_corrections'
    union all select 'weather'
    union all select 'planes'
    union all select 'airports'
    union all select 'airlines'

)

select
    expected_streams.stream,
    audited.files_read,
    audited.files_in_bronze
from expected_streams
left join audited on expected_streams.stream = audited.stream
where
    audited.stream is null
    or audited.files_read <> audited.files_in_bronze
