#!/usr/bin/env python3
"""The tutorial's lesson on a full year of taxi data under the default memory limit, checked
against each month computed on its own with pandas.

usage: full-year-check.py DIR [--memory-limit SIZE]

DIR holds the twelve monthly files of `tessera datasets taxi DIR --files 12 --rows 12200000`
(about 23 GB of CSV, 146M rows). The lesson runs in this process with tessera's Python API:
read_csv + persist, the aggregates, set_index + persist, loc of one day, resample('1h').mean().
Each step prints its time, the process's peak resident memory so far, and the bytes spilled to
disk and read back during it. Then every month is read alone by pandas and the year's results
must equal the months' combined: counts and integer sums exactly, float sums and means to 1e-9
relative, the day's rows as a set, and the hourly means bin by bin. Spill files must be gone at
the end. Prints one JSON line with the figures; exits non-zero when a result differs."""

import argparse
import glob
import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

import tessera
import tessera.dataframe as dd
from tessera import _scheduler

DATES = ["tpep_pickup_datetime", "tpep_dropoff_datetime"]
DAY = "2015-05-05"


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Steps:
    def __init__(self):
        self.figures = {}

    def run(self, name, thunk):
        before = _scheduler.current().stats()
        start = time.perf_counter()
        result = thunk()
        seconds = time.perf_counter() - start
        after = _scheduler.current().stats()
        figure = {"seconds": round(seconds, 2), "peak_rss_bytes": peak_rss_bytes(),
                  "spilled_bytes": after["total_spilled_bytes"] - before["total_spilled_bytes"],
                  "read_back_bytes": after["total_read_back_bytes"] - before["total_read_back_bytes"]}
        self.figures[name] = figure
        print(f"{name}: {seconds:.1f} s, peak RSS {figure['peak_rss_bytes'] >> 20} MiB, spilled "
              f"{figure['spilled_bytes'] >> 20} MiB, read back {figure['read_back_bytes'] >> 20} MiB", flush=True)
        return result


def year_with_tessera(files, steps):
    df = steps.run("read_csv+persist", lambda: dd.read_csv(files, parse_dates=DATES).persist())
    aggregates = steps.run("aggregates", lambda: tessera.compute(
        df.passenger_count.count(), df.passenger_count.sum(), df.tip_amount.sum(), df.tip_amount.mean(),
        df.groupby(df.passenger_count).tip_amount.mean(), df[df.tip_amount > 0].trip_distance.count()))
    indexed = steps.run("set_index+persist", lambda: df.set_index("tpep_pickup_datetime").persist())
    del df
    day = steps.run("loc", lambda: indexed.loc[DAY].compute())
    hourly = steps.run("resample", lambda: indexed.passenger_count.resample("1h").mean().compute())
    return aggregates, day, hourly


def month_figures(path):
    month = pd.read_csv(path, parse_dates=DATES, engine="pyarrow")
    by_passengers = month.groupby("passenger_count").tip_amount.agg(["sum", "count"])
    day = month[month.tpep_pickup_datetime.dt.strftime("%Y-%m-%d") == DAY].set_index("tpep_pickup_datetime")
    hourly = month.set_index("tpep_pickup_datetime").passenger_count.resample("1h").agg(["sum", "count"])
    return {"count": int(month.passenger_count.count()), "passengers": int(month.passenger_count.sum()),
            "tips": month.tip_amount.sum(), "tip_count": int(month.tip_amount.count()),
            "by_passengers": by_passengers, "tipped": int((month.tip_amount > 0).sum()), "day": day,
            "hourly": hourly}


def check(condition, what, failures):
    print(("ok:   " if condition else "FAIL: ") + what, flush=True)
    if not condition:
        failures.append(what)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--memory-limit", default=None, help="as Client(memory_limit=...); default: tessera's")
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.directory, "*.csv")))
    if len(files) != 12:
        sys.exit(f"{args.directory} holds {len(files)} CSV files; write the year with "
                 "`tessera datasets taxi DIR --files 12 --rows 12200000`")
    spill = os.path.join(args.directory, "spill")
    options = {"spill_directory": spill}
    if args.memory_limit:
        options["memory_limit"] = args.memory_limit
    client = tessera.distributed.Client(**options)
    steps = Steps()
    start = time.perf_counter()
    (count, passengers, tips, tip_mean, by_passengers, tipped), day, hourly = year_with_tessera(files, steps)
    total = time.perf_counter() - start
    limit = _scheduler.current().stats()["memory_limit"]
    client.close()

    months = [month_figures(path) for path in files]
    failures = []
    check(count == sum(m["count"] for m in months), f"row count {count}", failures)
    check(passengers == sum(m["passengers"] for m in months), f"passenger sum {passengers}", failures)
    month_tips = sum(m["tips"] for m in months)
    check(np.isclose(tips, month_tips, rtol=1e-9, atol=0), f"tip sum {tips} vs {month_tips}", failures)
    month_mean = month_tips / sum(m["tip_count"] for m in months)
    check(np.isclose(tip_mean, month_mean, rtol=1e-9, atol=0), f"tip mean {tip_mean} vs {month_mean}", failures)
    parts = pd.concat([m["by_passengers"] for m in months]).groupby(level=0).sum()
    expected = (parts["sum"] / parts["count"]).rename("tip_amount")
    check(np.allclose(by_passengers.sort_index().to_numpy(), expected.sort_index().to_numpy(), rtol=1e-9, atol=0)
          and list(by_passengers.sort_index().index) == list(expected.sort_index().index),
          "tip mean by passenger count", failures)
    check(tipped == sum(m["tipped"] for m in months), f"trips with a tip {tipped}", failures)
    expected_day = pd.concat([m["day"] for m in months])
    columns = list(expected_day.columns)
    same_day = (len(day) == len(expected_day) and
                day.reset_index().sort_values(["tpep_pickup_datetime"] + columns).reset_index(drop=True)
                .equals(expected_day.reset_index().sort_values(["tpep_pickup_datetime"] + columns)
                        .reset_index(drop=True).astype(day.reset_index().dtypes)))
    check(same_day, f"loc['{DAY}']: {len(day)} rows", failures)
    bins = pd.concat([m["hourly"] for m in months]).groupby(level=0).sum()
    expected_hourly = (bins["sum"] / bins["count"]).rename("passenger_count")
    check(len(hourly) == len(expected_hourly) and (hourly.index == expected_hourly.index).all()
          and np.allclose(hourly.to_numpy(), expected_hourly.to_numpy(), rtol=1e-9, equal_nan=True),
          f"resample('1h').mean(): {len(hourly)} bins", failures)
    leftovers = [p for p in glob.glob(os.path.join(spill, "**"), recursive=True) if os.path.isfile(p)]
    check(not leftovers, f"spill files left: {len(leftovers)}", failures)
    figures = {"rows": int(count), "memory_limit_bytes": int(limit), "total_seconds": round(total, 1),
               "peak_rss_bytes": peak_rss_bytes(), "steps": steps.figures, "failures": failures}
    print(json.dumps(figures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
