-- Every plane in the current register (silver_planes) has a current version in
-- silver_planes_history with the same attributes.
select
    planes.tailnum,
    planes.seats,
    history.seats as history_seats,
    history.tailnum as history_tailnum
from {{ ref('silver_planes') }} as planes
left join {{ ref('silver_planes_history') }} as history
    on planes.tailnum = history.tailnum
    and history.is_current
where
    history.tailnum is null
    or planes.year_built is distinct from history.year_built
    or planes.type is distinct from history.type
    or planes.manufacturer is distinct from history.manufacturer
    or planes.model is distinct from history.model
    or planes.engines is distinct from history.engines
    or planes.seats is distinct from history.seats
    or planes.speed is distinct from history.speed
    or planes.engine is distinct from history.engine
