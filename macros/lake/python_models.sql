{#- Delta location of every model a model refs (and of the model itself), by name: Python
    models read pinned Delta versions and log the exact tables and versions they read. -#}
{% macro lake_ref_locations() %}
    {%- set locations = {model.name: lake_location(this)} -%}
    {%- for r in model.refs -%}
        {%- do locations.update({r['name']: lake_read_location(ref(r['name']))}) -%}
    {%- endfor -%}
    {{ return(locations) }}
{% endmacro %}

{#- dbt's hook at the end of a Python model's generated code (dbt-core's own is empty): on the
    engines that keep every table in the lake, the model's `dbt` object gets
    `lake_location(name)`, the Delta folder of the model or of a model it refs. -#}
{% macro py_script_comment() -%}
{%- if target.type in ['duckdb', 'databricks'] %}
_LAKE_LOCATIONS = {{ tojson(lake_ref_locations()) }}
dbtObj.lake_location = staticmethod(lambda name: _LAKE_LOCATIONS[name])
{%- endif %}
{%- endmacro %}
