-- Every version ends after it starts, and a version is current exactly when it has no end.
select
    tailnum,
    valid_from,
    valid_to,
    is_current
from {{ ref('silver_planes_history') }}
where
    valid_to <= valid_from
    or (is_current and valid_to is not null)
    or (not is_current and valid_to is null)
