{{ config(unique_key=['tailnum'], delete_flag_column='_is_deleted') }}

with checked as (
    {{ silver_planes_checked() }}
),

{{ lake_snapshot_current('checked', 'tailnum', ['tailnum', 'year_built', 'type', 'manufacturer', 'model', 'engines', 'seats', 'speed', 'engine', 'valid_from']) }}
