-- The versions of a plane do not overlap: each starts on or after the end of the previous one.
with ordered as (

    select
        tailnum,
        valid_from,
        valid_to,
        lag(valid_to) over (partition by tailnum order by valid_from) as previous_valid_to,
        lag(valid_from) over (partition by tailnum order by valid_from) as previous_valid_from
    from {{ ref('silver_planes_history') }}

)

select
    tailnum,
    previous_valid_from,
    previous_valid_to,
    valid_from,
    valid_to
from ordered
where
    previous_valid_from is not null
    and (previous_valid_to is null or valid_from < previous_valid_to)
