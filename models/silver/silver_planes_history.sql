{{ config(materialized='table') }}

{#- SCD type 2 over every planes snapshot in bronze, rebuilt in full each run: bronze keeps all
    snapshots, so the history is exact whatever order the runs happened in. A version starts
    when a plane first appears or its attributes change, and ends at the first snapshot that
    drops or changes it. -#}

with checked as (
    {{ silver_planes_checked(incremental=false) }}
),

snapshots as (
    select
        snapshot_date,
        row_number() over (order by snapshot_date) as snapshot_no
    from (select distinct snapshot_date from checked where snapshot_date is not null) as dates
),

valid as (
    -- the last valid row of each plane in each snapshot, with its attributes' fingerprint
    select
        ranked.*,
        snapshots.snapshot_no,
        {{ dbt.hash(dbt.concat([
            "coalesce(cast(year_built as " ~ lake_type_string() ~ "), '')", "'|'", "coalesce(type, '')", "'|'",
            "coalesce(manufacturer, '')", "'|'", "coalesce(model, '')", "'|'",
            "coalesce(cast(engines as " ~ lake_type_string() ~ "), '')", "'|'", "coalesce(cast(seats as " ~ lake_type_string() ~ "), '')", "'|'",
            "coalesce(cast(speed as " ~ lake_type_string() ~ "), '')", "'|'", "coalesce(engine, '')"])) }} as attributes_hash
    from (
        select
            checked.*,
            row_number() over (
                partition by tailnum, snapshot_date order by _row_number desc
            ) as _version_rank
        from checked
        where _failed_rule is null
    ) as ranked
    inner join snapshots on ranked.snapshot_date = snapshots.snapshot_date
    where ranked._version_rank = 1
),

listed as (
    -- every plane a snapshot lists, whether or not its row passed validation
    select distinct checked.tailnum, snapshots.snapshot_no
    from checked
    inner join snapshots on checked.snapshot_date = snapshots.snapshot_date
    where checked.tailnum is not null
),

carried as (
    -- a listed plane whose row failed validation keeps its last valid attributes
    select
        listed.tailnum,
        listed.snapshot_no,
        max(valid.snapshot_no) as valid_snapshot_no
    from listed
    inner join valid
        on listed.tailnum = valid.tailnum
        and valid.snapshot_no <= listed.snapshot_no
    group by listed.tailnum, listed.snapshot_no
),

planes as (
    select
        valid.tailnum,
        valid.year_built,
        valid.type,
        valid.manufacturer,
        valid.model,
        valid.engines,
        valid.seats,
        valid.speed,
        valid.engine,
        valid.attributes_hash,
        valid._source_file,
        carried.snapshot_no
    from carried
    inner join valid
        on carried.tailnum = valid.tailnum
        and carried.valid_snapshot_no = valid.snapshot_no
),

islands as (
    -- consecutive snapshots with the same attributes form one version
    select
        planes.*,
        snapshot_no - row_number() over (
            partition by tailnum, attributes_hash order by snapshot_no
        ) as island
    from planes
),

versions as (
    select
        tailnum,
        attributes_hash,
        island,
        min(snapshot_no) as first_snapshot_no,
        max(snapshot_no) as last_snapshot_no,
        min(_source_file) as _source_file
    from islands
    group by tailnum, attributes_hash, island
)

select
    islands.tailnum,
    islands.year_built,
    islands.type,
    islands.manufacturer,
    islands.model,
    islands.engines,
    islands.seats,
    islands.speed,
    islands.engine,
    valid_from_snapshot.snapshot_date as valid_from,
    valid_to_snapshot.snapshot_date as valid_to,
    case when valid_to_snapshot.snapshot_date is null then {{ lake_true() }} else {{ lake_false() }} end as is_current,
    versions._source_file
from versions
inner join islands
    on versions.tailnum = islands.tailnum
    and versions.attributes_hash = islands.attributes_hash
    and versions.island = islands.island
    and versions.first_snapshot_no = islands.snapshot_no
inner join snapshots as valid_from_snapshot
    on versions.first_snapshot_no = valid_from_snapshot.snapshot_no
left join snapshots as valid_to_snapshot
    on versions.last_snapshot_no + 1 = valid_to_snapshot.snapshot_no
