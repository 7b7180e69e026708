{{ config(unique_key=['_source_file', '_row_number']) }}

with checked as (
    {{ silver_airlines_checked() }}
)

{{ lake_quarantine('checked', ['carrier', 'name']) }}
