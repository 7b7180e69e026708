{#- Incremental gold models rebuild whole months (insert_overwrite of _partition_month): the
    months whose flights changed since the model's watermark (max _ingested_at of its rows).
    A month changed when silver merged a flight of it (new or updated), when its number of
    flights in silver differs from the model's (a deleted flight leaves no silver row behind),
    or when a weather observation of one of its hours arrived. With `with_planes`, a plane
    changed or added in silver_planes since then changes every month (a plane's attributes reach
    all its flights). Runs at execution time so the model can filter with literal months, which
    every engine prunes partitions on. Not incremental: an empty list. -#}
{% macro lake_changed_months(with_planes=false) %}
    {#- a unit test renders the full-build SELECT, which needs no change detection -#}
    {%- if model.resource_type == 'unit_test' -%}{{ return([]) }}{%- endif -%}
    {#- the refs first, so that parsing records them as the model's dependencies -#}
    {%- set flights, weather = ref('silver_flights'), ref('silver_weather') -%}
    {%- set planes = ref('silver_planes') if with_planes else none -%}
    {%- if not execute or not is_incremental() -%}{{ return([]) }}{%- endif -%}
    {%- set query -%}
        select distinct changed_month from (
            select _partition_month as changed_month
            from ({{ lake_since_watermark(flights) }}) as merged_flights
            union all
            select coalesce(in_silver._partition_month, in_model._partition_month) as changed_month
            from (
                select _partition_month, count(*) as flights
                from {{ flights }}
                group by _partition_month
            ) as in_silver
            full outer join (
                select _partition_month, count(*) as flights
                from {{ this }}
                group by _partition_month
            ) as in_model
                on in_silver._partition_month = in_model._partition_month
            where in_silver.flights is null or in_model.flights is null
                or in_silver.flights <> in_model.flights
            union all
            select cast({{ dbt.date_trunc('month', 'time_hour') }} as date) as changed_month
            from ({{ lake_since_watermark(weather) }}) as observations
            {%- if with_planes %}
            union all
            select all_flights._partition_month as changed_month
            from {{ flights }} as all_flights
            where exists (select 1 from ({{ lake_since_watermark(planes) }}) as changed_planes)
            {%- endif %}
        ) as changed
        where changed_month is not null
    {%- endset -%}
    {{ return(lake_first_column_text(run_query(query)) | sort) }}
{% endmacro %}

{#- The months of bronze flight rows (daily files and corrections) ingested since the model's
    watermark, for models that account for bronze rows; rows whose time_hour does not parse
    count as `unparsed_month`. -#}
{% macro lake_changed_bronze_flight_months(unparsed_month) %}
    {%- if model.resource_type == 'unit_test' -%}{{ return([]) }}{%- endif -%}
    {%- set daily, corrections = ref('bronze_flights'), ref('bronze_flight_corrections') -%}
    {%- if not execute or not is_incremental() -%}{{ return([]) }}{%- endif -%}
    {%- set query -%}
        select distinct changed_month from (
            select {{ lake_month_of_raw_time_hour('time_hour', unparsed_month) }} as changed_month
            from ({{ lake_since_watermark(daily) }}) as deliveries
            union all
            select {{ lake_month_of_raw_time_hour('time_hour', unparsed_month) }} as changed_month
            from ({{ lake_since_watermark(corrections) }}) as corrections
        ) as changed
    {%- endset -%}
    {{ return(lake_first_column_text(run_query(query)) | sort) }}
{% endmacro %}

{#- The partition month of a bronze flight row: its time_hour's month, or `unparsed_month`
    (a literal date, or null) when time_hour does not parse. -#}
{% macro lake_month_of_raw_time_hour(raw_time_hour, unparsed_month=none) -%}
    {%- set month = 'cast(' ~ dbt.date_trunc('month', lake_parse_utc_timestamp(raw_time_hour)) ~ ' as date)' -%}
    {%- if unparsed_month -%}
    coalesce({{ month }}, cast('{{ unparsed_month }}' as date))
    {%- else -%}
    {{ month }}
    {%- endif -%}
{%- endmacro %}

{#- Whether a bronze flight row's month (lake_month_of_raw_time_hour) is one of `months`.
    A time_hour in a delivered UTC spelling (2013-01-01T10:00:00Z, or with a space and no
    zone) has its month in its first 7 characters: the row is parsed only when those match
    one of the months, or when it is spelled any other way. On 10 M bronze rows this costs a
    text comparison per row instead of a timestamp parse. The parse still decides. -#}
{% macro lake_raw_time_hour_in_months(raw_time_hour, months, unparsed_month) -%}
    {%- if months | length == 0 -%}
    1 = 0
    {%- else -%}
    {%- set texts, days = [], [] -%}
    {%- for month in months -%}
        {%- do texts.append("'" ~ month[:7] ~ "'") -%}
        {%- do days.append(month[:10]) -%}
    {%- endfor -%}
    {%- if unparsed_month[:10] not in days %}
    (
        left({{ raw_time_hour }}, 7) in ({{ texts | join(', ') }})
        or not (
            {{ raw_time_hour }} like '____-__-__T__:__:__Z'
            or {{ raw_time_hour }} like '____-__-__ __:__:__'
        )
    )
    and
    {%- endif %}
    {{ lake_in_months(lake_month_of_raw_time_hour(raw_time_hour, unparsed_month), months) }}
    {%- endif -%}
{%- endmacro %}

{#- Declares that an insert_overwrite model recomputes `months` (ISO first days of its
    `column` partitions) whole, and returns them. The Delta writer then replaces every one of
    them, also a month with no row left (every flight of it deleted upstream), which
    overwriting only the partitions present in the new rows would keep. Recorded by the
    commands that write (build, run, retry) for this invocation, in the model's transaction
    (`main.lake_replaced_partitions`); DuckDB only: other engines overwrite the partitions
    present in the new rows. -#}
{% macro lake_replaced_months(months, column='_partition_month') %}
    {%- set writes = flags.WHICH in ['build', 'run', 'retry'] -%}{#- not while compiling docs -#}
    {%- if execute and writes and target.type == 'duckdb' and model.resource_type == 'model' and is_incremental() -%}
        {%- set relation = lake_sql_string(this.render()) -%}
        {%- do run_query('delete from main.lake_replaced_partitions where relation = ' ~ relation) -%}
        {%- if months | length > 0 -%}
            {%- set record -%}
                insert into main.lake_replaced_partitions values
                {%- for month in months %}
                ({{ relation }}, {{ lake_sql_string(invocation_id) }}, {{ lake_sql_string(column) }}, {{ lake_sql_string(month) }}){% if not loop.last %},{% endif %}
                {%- endfor %}
            {%- endset -%}
            {%- do run_query(record) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(months) }}
{% endmacro %}

{#- The months (ISO first days) plus the `back` months before and `forward` months after each. -#}
{% macro lake_month_span(months, back=0, forward=0) %}
    {%- set span = [] -%}
    {%- for month in months -%}
        {%- set first_day = modules.datetime.date.fromisoformat(month[:10]) -%}
        {%- for shift in range(0 - back, forward + 1) -%}
            {%- set index = first_day.year * 12 + first_day.month - 1 + shift -%}
            {%- set day = modules.datetime.date(index // 12, index % 12 + 1, 1).isoformat() -%}
            {%- if day not in span -%}{%- do span.append(day) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(span | sort) }}
{% endmacro %}

{#- A filter keeping the rows of the given months (ISO first days); no month keeps no row. -#}
{% macro lake_in_months(column, months) -%}
    {%- if months | length == 0 -%}
    1 = 0
    {%- else -%}
    {{ column }} in ({% for month in months %}cast('{{ month }}' as date){% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{#- The first column of a query result as text, one item per row. -#}
{% macro lake_first_column_text(result) %}
    {%- set values = [] -%}
    {%- for row in result -%}{%- do values.append(row[0] | string) -%}{%- endfor -%}
    {{ return(values) }}
{% endmacro %}
