"""The taxi lesson as the cluster tests run it (on the in-process scheduler, a LocalCluster, or
from a client in another network namespace)."""

import pandas as pd

import tessera.dataframe as dd

DATES = ["tpep_pickup_datetime", "tpep_dropoff_datetime"]
PAYMENTS = pd.DataFrame({"payment_type": [1, 2, 3, 4, 5], "payment_name": ["card", "cash", "none", "dispute", "?"]})


def lesson(df):
    """The taxi lesson's results from a persisted frame (as the tutorial computes them)."""
    by_time = df.set_index("tpep_pickup_datetime").persist()
    payments = dd.from_pandas(PAYMENTS, npartitions=1)
    return {
        "len": len(df),
        "head": df.head(10),
        "tail": by_time.passenger_count.tail(5),
        "passengers": df.passenger_count.sum().compute(),
        "tip_mean": df.tip_amount.mean().compute(),
        "tip_fraction": (df.tip_amount / df.fare_amount)[df.fare_amount > 0].mean().compute(),
        "long_trips": df[df.trip_distance > 10].compute(),
        "tip_by_passengers": df.groupby(df.passenger_count).tip_amount.mean().compute(),
        "payments": df.payment_type.value_counts().compute(),
        "divisions": by_time.divisions,
        "one_day": by_time.loc["2015-01-05"].compute(),
        "named": df.merge(payments, on="payment_type")[["payment_name", "total_amount"]].compute(),
    }
