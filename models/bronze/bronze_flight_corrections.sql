{{ bronze_from_landing('flight_corrections') }}
