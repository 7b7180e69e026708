{#- The integers 0..99999 as `day_offset` (about 270 years of days): a calendar spine from
    cross-joined digits instead of each engine's series function (generate_series, sequence,
    GENERATE_SERIES), so it compiles the same everywhere and needs no query at compile time.
    A SELECT without a WITH (T-SQL allows no nested CTE), for use as a model's CTE body. -#}
{% macro lake_day_offsets() -%}
    {%- set digits -%}
        (
            select 0 as digit
            {%- for digit in range(1, 10) %}
            union all select {{ digit }}
            {%- endfor %}
        )
    {%- endset -%}
    select
        ones.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit
        + 10000 * ten_thousands.digit as day_offset
    from {{ digits }} as ones
    cross join {{ digits }} as tens
    cross join {{ digits }} as hundreds
    cross join {{ digits }} as thousands
    cross join {{ digits }} as ten_thousands
{%- endmacro %}
