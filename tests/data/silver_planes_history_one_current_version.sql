-- A plane has at most one current version in the register history.
select
    tailnum,
    count(*) as current_versions
from {{ ref('silver_planes_history') }}
where is_current
group by tailnum
having count(*) > 1
