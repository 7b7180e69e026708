with

airports as (

    select
        faa,
        name,
        lat,
        lon,
        alt,
        tzone
    from {{ ref('silver_airports') }}

),

airports_flagged as (

    select
        cast(faa as varchar) as faa,
        cast(name as varchar) as airport_name,
        cast(lat as double) as lat,
        cast(lon as double) as lon,
        cast(alt as integer) as alt,
        cast(tzone as varchar) as tzone,
        case
            when faa in ('EWR', 'JFK', 'LGA') then true
            else false
        end as is_nyc_origin
    from airports

)

select
    faa,
    airport_name,
    lat,
    lon,
    alt,
    tzone,
    is_nyc_origin
from airports_flagged
