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
        cast(faa as {{ lake_type_string() }}) as faa,
        cast(name as {{ lake_type_string() }}) as airport_name,
        cast(lat as {{ lake_type_float() }}) as lat,
        cast(lon as {{ lake_type_float() }}) as lon,
        cast(alt as integer) as alt,
        cast(tzone as {{ lake_type_string() }}) as tzone,
        case
            when faa in ('EWR', 'JFK', 'LGA') then {{ lake_true() }}
            else {{ lake_false() }}
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
