{{ bronze_from_landing('weather') }}
