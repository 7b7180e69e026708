"""lakehouse: the Python side of the dbt lakehouse (DuckDB plugin, Delta writes, landing)."""
