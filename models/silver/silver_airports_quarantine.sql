{{ config(unique_key=['_source_file', '_row_number'], on_schema_change='append_new_columns') }}

with checked as (
    {{ silver_airports_checked() }}
)

{{ lake_quarantine('checked', silver_delivered_columns('airports')) }}
