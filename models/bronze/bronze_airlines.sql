{{ bronze_from_landing('airlines') }}
