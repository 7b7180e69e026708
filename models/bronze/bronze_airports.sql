{{ bronze_from_landing('airports') }}
