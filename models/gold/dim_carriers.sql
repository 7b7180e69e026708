with

airlines as (

    select
        carrier,
        name
    from {{ ref('silver_airlines') }}

),

carriers as (

    select
        cast(carrier as {{ lake_type_string() }}) as carrier,
        cast(name as {{ lake_type_string() }}) as carrier_name
    from airlines

)

select
    carrier,
    carrier_name
from carriers
