with

airlines as (

    select
        carrier,
        name
    from {{ ref('silver_airlines') }}

),

carriers as (

    select
        cast(carrier as varchar) as carrier,
        cast(name as varchar) as carrier_name
    from airlines

)

select
    carrier,
    carrier_name
from carriers
