{{ config(unique_key=['carrier'], delete_flag_column='_is_deleted') }}

with checked as (
    {{ silver_airlines_checked() }}
),

{{ lake_snapshot_current('checked', 'carrier', ['carrier', 'name']) }}
