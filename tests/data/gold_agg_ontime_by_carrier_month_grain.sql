-- agg_ontime_by_carrier_month has one row per carrier and month.
with

carrier_months as (

    select
        carrier,
        month_start,
        count(*) as row_count
    from {{ ref('agg_ontime_by_carrier_month') }}
    group by
        carrier,
        month_start

)

select
    carrier,
    month_start,
    row_count
from carrier_months
where row_count > 1
