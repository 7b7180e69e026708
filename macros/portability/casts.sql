{#- Engine-specific SQL lives here, dispatched per adapter, so models stay portable.
    The default__ implementations are DuckDB's; Databricks and Synapse add theirs
    (databricks.sql, synapse.sql). docs/clean_values.md lists the text and number rules. -#}

{#- The characters the cleaning rules name, as code points (docs/clean_values.md):
    whitespace-like ones become a space, invisible format characters are removed, other
    control characters quarantine the row, and combining marks are what an engine without
    Unicode normalisation cannot vouch for. -#}
{% macro lake_text_characters() -%}
    {{ return({
        'space': [9, 10, 11, 12, 13, 133, 160, 5760] + range(8192, 8203) | list + [8232, 8233, 8239, 8287, 12288],
        'invisible': [8203, 8204, 8205, 8288, 65279, 173],
        'control': [0] + range(1, 9) | list + range(14, 32) | list + range(127, 133) | list + range(134, 160) | list,
        'combining': range(768, 880) | list,
    }) }}
{%- endmacro %}

{#- Code points as a regular-expression character class, e.g. [\x{9}-\x{d}\x{85}] (RE2 and Java
    regex both read \x{h..h}); runs of consecutive code points become ranges. `escape` is the
    backslash as the engine's string literal spells it. -#}
{% macro lake_regex_class(code_points, escape='\\') -%}
    {%- set runs = [] -%}
    {%- for cp in code_points | sort -%}
        {%- if runs and runs[-1][-1] + 1 == cp -%}
            {%- do runs[-1].append(cp) -%}
        {%- else -%}
            {%- do runs.append([cp]) -%}
        {%- endif -%}
    {%- endfor -%}
    [{%- for run in runs -%}
        {{ escape }}x{{ '{' }}{{ '%x' | format(run[0]) }}{{ '}' }}
        {%- if run | length > 1 -%}-{{ escape }}x{{ '{' }}{{ '%x' | format(run[-1]) }}{{ '}' }}{%- endif -%}
    {%- endfor -%}]
{%- endmacro %}

{#- A delivered value as clean text (docs/clean_values.md): whitespace-like characters become
    a space, invisible format characters are removed, the value is trimmed and, where the
    engine can, put in Unicode NFC; the client's missing markers ('', 'NA') then become null.
    Control characters stay: lake_text_rules quarantines their row. -#}
{% macro lake_clean_text(expr) -%}
    {{ return(adapter.dispatch('lake_clean_text', 'lakehouse')(expr)) }}
{%- endmacro %}
{#- Printable ASCII, nearly every value, takes the short branch: nothing to replace or
    normalise (keeps the cost of a build as before). -#}
{% macro default__lake_clean_text(expr) -%}
    {%- set chars = lake_text_characters() -%}
    nullif(nullif(trim(case
        when regexp_matches({{ expr }}, '[^\x20-\x7E]')
            then nfc_normalize(regexp_replace(regexp_replace({{ expr }},
                '{{ lake_regex_class(chars.invisible) }}', '', 'g'),
                '{{ lake_regex_class(chars.space) }}', ' ', 'g'))
        else {{ expr }}
    end), ''), 'NA')
{%- endmacro %}

{#- True (a condition) when a text holds a control character that is not whitespace-like
    (NUL, U+0001-U+0008, U+000E-U+001F, DEL, C1 except U+0085): a corrupt value. -#}
{% macro lake_has_control_character(expr) -%}
    {{ return(adapter.dispatch('lake_has_control_character', 'lakehouse')(expr)) }}
{%- endmacro %}
{% macro default__lake_has_control_character(expr) -%}
    regexp_matches({{ expr }}, '{{ lake_regex_class(lake_text_characters().control) }}')
{%- endmacro %}

{#- A condition true when a clean text may not be in Unicode NFC, on engines whose
    lake_clean_text cannot normalise; empty where it does (DuckDB: nfc_normalize). -#}
{% macro lake_text_not_nfc(expr) -%}
    {{ return(adapter.dispatch('lake_text_not_nfc', 'lakehouse')(expr)) }}
{%- endmacro %}
{% macro default__lake_text_not_nfc(expr) -%}{%- endmacro %}

{#- The text rules of a stream, as (rule, condition) pairs for lake_first_failed_rule: a
    control character in any of `columns`, then (engines without normalisation) text that
    may not be NFC. Conditions read `prefix`<column>, the cleaned text. -#}
{% macro lake_text_rules(columns, prefix='clean_') -%}
    {%- set rules = [] -%}
    {%- for c in columns -%}
        {%- do rules.append(('control character in ' ~ c, lake_has_control_character(prefix ~ c))) -%}
    {%- endfor -%}
    {%- for c in columns -%}
        {%- set condition = lake_text_not_nfc(prefix ~ c) | trim -%}
        {%- if condition -%}
            {%- do rules.append(('text not in Unicode NFC: ' ~ c, condition)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}

{% macro lake_is_integer_type(type) -%}
    {{ return(type | lower in ('tinyint', 'smallint', 'int', 'integer', 'bigint')) }}
{%- endmacro %}
{% macro lake_is_float_type(type) -%}
    {{ return(type | lower in ('double', 'float', 'real')) }}
{%- endmacro %}

{#- Clean text of a number in the project's number dialect, as text the engine's cast reads
    (docs/clean_values.md): integers may be written as an integral decimal (2.0, 2.00) and
    with well-formed thousands separators (1,400; 12,345,678), doubles with thousands
    separators before an optional fraction; separators are stripped. A decimal comma (12,5)
    is not a number. Integer text outside the dialect gives '' or null (no number); other
    types pass through. -#}
{% macro lake_number_text(expr, type) -%}
    {{ return(adapter.dispatch('lake_number_text', 'lakehouse')(expr, type)) }}
{%- endmacro %}
{% macro default__lake_number_text(expr, type) -%}
    {%- if lake_is_integer_type(type) -%}
    replace(regexp_extract({{ expr }}, '^([+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+))(\.0+)?$', 1), ',', '')
    {%- elif lake_is_float_type(type) -%}
    case
        when regexp_full_match({{ expr }}, '[+-]?([0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?|([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)')
            then replace({{ expr }}, ',', '')
    end
    {%- else -%}
    {{ expr }}
    {%- endif -%}
{%- endmacro %}

{#- Cast that yields null instead of failing (Databricks plain cast raises under ANSI mode). -#}
{% macro lake_try_cast(expr, type) -%}
    {{ return(adapter.dispatch('lake_try_cast', 'lakehouse')(expr, type)) }}
{%- endmacro %}
{% macro default__lake_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}
{#- DuckDB rounds text like '2.5' to the integer 3 (Spark and T-SQL refuse it): integer types
    only take integer text, so a column the client retyped to decimals is quarantined, not
    silently rounded. -#}
{% macro duckdb__lake_try_cast(expr, type) -%}
    {%- if lake_is_integer_type(type) -%}
    try_cast(case when regexp_full_match({{ expr }}, '\s*[+-]?[0-9]+\s*') then {{ expr }} end as {{ type }})
    {%- else -%}
    try_cast({{ expr }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{#- Parse a delivered text value into `type`: cleaned (unless `cleaned`: the text already is),
    read in the number dialect, cast; null for missing markers and unparseable text. -#}
{% macro lake_parse(expr, type, cleaned=false) -%}
    {{ lake_try_cast(lake_number_text(expr if cleaned else lake_clean_text(expr), type), type) }}
{%- endmacro %}

{#- True (as a case-when, for portability) when a value is present but does not parse as `type`. -#}
{% macro lake_unparseable(expr, type, cleaned=false) -%}
    ({{ expr if cleaned else lake_clean_text(expr) }} is not null and {{ lake_parse(expr, type, cleaned) }} is null)
{%- endmacro %}

{#- Parse an ISO-8601 UTC timestamp such as 2013-01-01T10:00:00Z (the delivered text, cleaned). -#}
{% macro lake_parse_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('lake_parse_utc_timestamp', 'lakehouse')(expr)) }}
{%- endmacro %}
{% macro default__lake_parse_utc_timestamp(expr) -%}
    try_cast({{ lake_clean_text(expr) }} as timestamp with time zone)
{%- endmacro %}

{#- A calendar date from year, month, day texts, each cleaned (unless `cleaned`) and read as
    an integer in the number dialect; null when they do not make a real date (2013-02-30). -#}
{% macro lake_make_date(year, month, day, cleaned=false) -%}
    {{ return(adapter.dispatch('lake_make_date', 'lakehouse')(year, month, day, cleaned)) }}
{%- endmacro %}
{#- The integer text of a date part, for the lake_make_date implementations. -#}
{% macro lake_date_part_text(expr, cleaned=false) -%}
    {{ lake_number_text(expr if cleaned else lake_clean_text(expr), 'integer') }}
{%- endmacro %}
{% macro default__lake_make_date(year, month, day, cleaned=false) -%}
    cast(try_strptime(
        {{ lake_date_part_text(year, cleaned) }} || '-' || {{ lake_date_part_text(month, cleaned) }}
        || '-' || {{ lake_date_part_text(day, cleaned) }},
        '%Y-%m-%d'
    ) as date)
{%- endmacro %}

{#- The delivery date a landing file name carries (planes_2013-07-01.csv -> 2013-07-01). -#}
{% macro lake_file_date(expr) -%}
    {{ return(adapter.dispatch('lake_file_date', 'lakehouse')(expr)) }}
{%- endmacro %}
{% macro default__lake_file_date(expr) -%}
    try_cast(regexp_extract({{ expr }}, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date)
{%- endmacro %}
