{{ bronze_from_landing('flights') }}
