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
        cast(tailnum as varchar) as tailnum,
        cast(year_built as integer) as year_built,
        cast(manufacturer as varchar) as manufacturer,
        cast(model as varchar) as model,
        cast(engines as integer) as engines,
        cast(seats as integer) as seats,
        cast(engine as varchar) as engine,
        cast(type as varchar) as type
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
