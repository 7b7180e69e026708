{%- set day_zero -%}cast('1900-01-01' as date){%- endset -%}
{%- set sampled_where -%}
    flight_key like '00%'
    and flight_date >= (
        select {{ dbt.dateadd('day', -365, 'max(flight_date)') }} from {{ ref('ml_flight_features') }}
    )
{%- endset -%}
{#- silver_flights is read from 30 days before the first sampled flight: a literal date, so the
    scan skips the Delta files of older months (a subquery's bound would read all of them) -#}
{%- set window_start = none -%}
{#- only where the table exists: `dbt docs generate` compiles the test before any build -#}
{%- if execute and load_relation(ref('ml_flight_features')) is not none -%}
    {%- set first_day -%}
        select min(flight_date) from {{ get_where_subquery(ref('ml_flight_features')) }}
        where {{ sampled_where }}
    {%- endset -%}
    {%- set found = run_query(first_day) -%}
    {%- set first_sampled = found.rows[0][0] if found and found.rows | length > 0 else none -%}
    {%- if first_sampled is not none -%}
        {%- set window_start = (first_sampled - modules.datetime.timedelta(days=30)).strftime('%Y-%m-%d') -%}
    {%- endif -%}
{%- endif -%}
-- No leakage in ml_flight_features: for a sample of the last year's flights (keys starting
-- with 00, about 1 in 256; the last year keeps the test's cost flat as history grows) in the
-- partitions this build wrote (get_where_subquery; every partition under `dbt test`), recompute
-- the carrier's 28-day delay rate flight by flight straight from silver_flights, counting only
-- labeled flights 2 to 29 days before the flight's date (day numbers from datediff, not the
-- model's dateadd window), and return every sampled flight whose stored rate or count differs.
-- A flight of the same day or the day before, or the flight's own label, would show up here
-- as a difference.

with

sampled_features as (

    select
        flight_key,
        flight_date,
        carrier,
        carrier_delay_rate_28d,
        carrier_flights_28d,
        {{ dbt.datediff(day_zero, 'flight_date', 'day') }} as day_number
    from {{ get_where_subquery(ref('ml_flight_features')) }}
    where {{ sampled_where }}

),

labeled_flights as (

    select
        flight_key,
        carrier,
        flight_date,
        {{ dbt.datediff(day_zero, 'flight_date', 'day') }} as day_number,
        case
            when arr_delay >= 15 then 1
            else 0
        end as is_delayed_15
    from {{ ref('silver_flights') }}
    where arr_delay is not null
        {%- if window_start %}
        and flight_date >= cast('{{ window_start }}' as date)
        {%- endif %}

),

sampled_days as (

    select
        min(day_number) - 29 as first_day_number,
        max(day_number) - 2 as last_day_number
    from sampled_features

),

window_flights as (

    select
        labeled_flights.flight_key,
        labeled_flights.carrier,
        labeled_flights.day_number,
        labeled_flights.is_delayed_15
    from labeled_flights
    inner join sampled_days
        on labeled_flights.day_number >= sampled_days.first_day_number
        and labeled_flights.day_number <= sampled_days.last_day_number

),

recomputed as (

    select
        sampled_features.flight_key,
        count(window_flights.flight_key) as expected_flights_28d,
        sum(window_flights.is_delayed_15) as expected_delayed_28d
    from sampled_features
    left join window_flights
        on sampled_features.carrier = window_flights.carrier
        and window_flights.day_number >= sampled_features.day_number - 29
        and window_flights.day_number <= sampled_features.day_number - 2
    group by
        sampled_features.flight_key

),

compared as (

    select
        sampled_features.flight_key,
        sampled_features.flight_date,
        sampled_features.carrier,
        sampled_features.carrier_flights_28d,
        recomputed.expected_flights_28d,
        sampled_features.carrier_delay_rate_28d,
        cast(recomputed.expected_delayed_28d as {{ lake_type_float() }})
        / nullif(recomputed.expected_flights_28d, 0) as expected_delay_rate_28d
    from sampled_features
    inner join recomputed
        on sampled_features.flight_key = recomputed.flight_key

)

select
    flight_key,
    flight_date,
    carrier,
    carrier_flights_28d,
    expected_flights_28d,
    carrier_delay_rate_28d,
    expected_delay_rate_28d
from compared
where
    carrier_flights_28d <> expected_flights_28d
    or (carrier_delay_rate_28d is null and expected_delay_rate_28d is not null)
    or (carrier_delay_rate_28d is not null and expected_delay_rate_28d is null)
    or abs(carrier_delay_rate_28d - expected_delay_rate_28d) > 0.000000001
