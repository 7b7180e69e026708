with

current_planes as (

    select
        tailnum,
        year_built,
        manufacturer,
        model,
        engines,
        seats,
        engine,
        type
    from {{ ref('silver_planes') }}

),

planes as (

    select
        cast(tailnum as {{ lake_type_string() }}) as tailnum,
        cast(year_built as integer) as year_built,
        cast(manufacturer as {{ lake_type_string() }}) as manufacturer,
        cast(model as {{ lake_type_string() }}) as model,
        cast(engines as integer) as engines,
        cast(seats as integer) as seats,
        cast(engine as {{ lake_type_string() }}) as engine,
        cast(type as {{ lake_type_string() }}) as type
    from current_planes

)

select
    tailnum,
    year_built,
    manufacturer,
    model,
    engines,
    seats,
    engine,
    type
from planes
