"""A synthetic table shaped like gold ``ml_flight_features``, for tests and benchmarks.

Why it exists: the ML code must be testable (and its speed measurable) without building the
lake first. The rows follow the gold table's schema and column types exactly, including the
nulls the real table has (missing weather, planes absent from the planes list, routes with no
history yet), and the label depends on the features so a model has something to learn. It is
seeded: the same arguments always give the same frame.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

CARRIERS = (
    *("9E", "AA", "AS", "B6", "DL", "EV", "F9", "FL"),
    *("HA", "MQ", "OO", "UA", "US", "VX", "WN", "YV"),
)
ORIGINS = ("EWR", "JFK", "LGA")


def make_features(
    n_rows: int = 5_000,
    *,
    seed: int = 0,
    start: date = date(2013, 1, 1),
    end: date = date(2013, 12, 31),
    n_dests: int = 60,
    label_null_rate: float = 0.02,
) -> pd.DataFrame:
    """Return ``n_rows`` flights between ``start`` and ``end`` with a learnable delay label.

    The delay probability rises with the departure hour, rain, low visibility, wind and the
    historical delay rates, and differs by carrier and destination, so a gradient-boosted model
    beats a baseline built on the rates alone. ``label_null_rate`` of the labels are null, as for
    cancelled or diverted flights whose arrival is unknown.
    """
    rng = np.random.default_rng(seed)
    n_days = (end - start).days + 1
    day_offset = rng.integers(0, n_days, n_rows)
    flight_date = pd.to_datetime(start) + pd.to_timedelta(day_offset, unit="D")
    hour = rng.integers(5, 24, n_rows)
    minute = rng.integers(0, 60, n_rows)
    sched_dep = (
        flight_date + pd.to_timedelta(hour, unit="h") + pd.to_timedelta(minute, unit="m")
    ).tz_localize("America/New_York", ambiguous="NaT", nonexistent="shift_forward")
    sched_dep = sched_dep.tz_convert("UTC")

    carrier_idx = rng.integers(0, len(CARRIERS), n_rows)
    carrier = np.asarray(CARRIERS)[carrier_idx]
    origin = np.asarray(ORIGINS)[rng.integers(0, len(ORIGINS), n_rows)]
    dests = np.asarray([f"D{i:02d}" for i in range(n_dests)])
    dest_idx = rng.integers(0, n_dests, n_rows)
    dest = dests[dest_idx]
    route = np.char.add(np.char.add(origin.astype(str), "-"), dest.astype(str))
    distance = (200 + 40 * dest_idx + rng.normal(0, 10, n_rows)).round(0)

    plane_age = rng.gamma(3.0, 4.0, n_rows)
    plane_seats = rng.choice([20.0, 55.0, 95.0, 149.0, 182.0, 200.0, 379.0], n_rows)
    no_plane = rng.random(n_rows) < 0.15
    plane_age[no_plane] = np.nan
    plane_seats[no_plane] = np.nan

    temp = 55 + 25 * np.sin((flight_date.day_of_year.to_numpy() - 100) / 365 * 2 * np.pi)
    temp = temp + rng.normal(0, 8, n_rows)
    humid = np.clip(rng.normal(60, 18, n_rows), 10, 100)
    wind = np.abs(rng.normal(10, 6, n_rows))
    precip = np.where(rng.random(n_rows) < 0.1, rng.exponential(0.08, n_rows), 0.0)
    visib = np.clip(10 - rng.exponential(1.2, n_rows) * (precip > 0) * 5, 0, 10)
    pressure = rng.normal(1017, 7, n_rows)
    no_wx = rng.random(n_rows) < 0.03
    weather = {"temp": temp, "humid": humid, "wind": wind, "precip": precip, "visib": visib}
    for values in weather.values():
        values[no_wx] = np.nan
    pressure[no_wx | (rng.random(n_rows) < 0.1)] = np.nan

    carrier_effect = rng.normal(0, 0.5, len(CARRIERS))[carrier_idx]
    dest_effect = rng.normal(0, 0.4, n_dests)[dest_idx]
    carrier_rate = 1 / (1 + np.exp(-(-1.1 + carrier_effect + rng.normal(0, 0.05, n_rows))))
    route_logit = -1.1 + carrier_effect / 2 + dest_effect + rng.normal(0, 0.2, n_rows)
    route_rate = 1 / (1 + np.exp(-route_logit))
    origin_rate = np.clip(0.2 + rng.normal(0, 0.03, n_rows), 0, 1)
    route_flights = rng.poisson(60, n_rows)
    route_rate[route_flights < 5] = np.nan

    logit = (
        -2.3
        + 0.12 * (hour - 12)
        + carrier_effect
        + dest_effect
        + 6.0 * np.nan_to_num(precip)
        + 0.15 * (10 - np.nan_to_num(visib, nan=10))
        + 0.03 * (np.nan_to_num(wind, nan=10) - 10)
        + 0.4 * (np.nan_to_num(humid, nan=60) > 85)
        + 0.3 * np.isin(flight_date.day_of_week.to_numpy(), [4, 6])  # Friday, Sunday
    )
    label = (rng.random(n_rows) < 1 / (1 + np.exp(-logit))).astype("int64")
    label_values = pd.array(label, dtype="Int64")
    label_values[rng.random(n_rows) < label_null_rate] = pd.NA

    frame = pd.DataFrame(
        {
            "flight_key": [f"F{seed}-{i:07d}" for i in range(n_rows)],
            "flight_date": flight_date.date,
            "sched_dep_at_utc": sched_dep,
            "label_arr_delayed_15": label_values,
            "sched_dep_hour": hour.astype("int64"),
            "day_of_week": (flight_date.day_of_week.to_numpy() + 1).astype("int64"),
            "month": flight_date.month.to_numpy().astype("int64"),
            "carrier": carrier,
            "origin": origin,
            "dest": dest,
            "route": route,
            "distance": distance,
            "plane_age_years": plane_age,
            "plane_seats": plane_seats,
            "wx_temp": weather["temp"],
            "wx_humid": weather["humid"],
            "wx_wind_speed": weather["wind"],
            "wx_precip": weather["precip"],
            "wx_visib": weather["visib"],
            "wx_pressure": pressure,
            "carrier_delay_rate_28d": carrier_rate,
            "route_delay_rate_28d": route_rate,
            "origin_delay_rate_28d": origin_rate,
            "carrier_flights_28d": rng.poisson(900, n_rows).astype("int64"),
            "route_flights_28d": route_flights.astype("int64"),
            "origin_flights_28d": rng.poisson(3000, n_rows).astype("int64"),
        }
    )
    return frame
