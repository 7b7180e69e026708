{{ bronze_from_landing('planes') }}
