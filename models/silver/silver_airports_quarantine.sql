{{ config(unique_key=['_source_file', '_row_number']) }}

with checked as (
    {{ silver_airports_checked() }}
)

{{ lake_quarantine('checked', ['faa', 'name', 'lat', 'lon', 'alt', 'tz', 'dst', 'tzone']) }}
