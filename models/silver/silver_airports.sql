{{ config(unique_key=['faa'], delete_flag_column='_is_deleted') }}

with checked as (
    {{ silver_airports_checked() }}
),

{{ lake_snapshot_current('checked', 'faa', ['faa', 'name', 'lat', 'lon', 'alt', 'tz_offset_hours', 'dst', 'tzone']) }}
