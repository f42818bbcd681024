"""Benchmarks of the Python API, each ending with one JSON line.

``python -m tessera.bench seed GLOB``: the tutorial's taxi workflow step by step, with the step
names and JSON line of ``tessera bench seed`` (and of the anchors' run-anchors), so the figures
compare line by line. ``python -m tessera.bench to-pandas [ROWS]``: compute() of one float64
column to pandas. ``python -m tessera.bench ml [--rows N]``: GridSearchCV(SVC) on digits under
joblib's backends (tessera, loky, threading, Dask's on a LocalCluster), and tessera.ml's
LogisticRegression and KMeans on N x 20 rows against scikit-learn on one core."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import tessera.dataframe as dd

_DATES = ["tpep_pickup_datetime", "tpep_dropoff_datetime"]


def _peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def seed(glob, out=sys.stdout):
    steps = []

    def step(name, fn):
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
        steps.append({"step": name, "s": round(seconds, 3)})
        shown = " ".join(str(result).split())[:70]
        print(f"{name:28s} {seconds:8.3f}s  {shown}", file=out, flush=True)
        return result

    df = step("read_csv+persist", lambda: dd.read_csv(glob, parse_dates=_DATES).persist())
    step("len", lambda: len(df))
    step("passenger_count.sum", lambda: df.passenger_count.sum().compute())
    step("groupby.tip.mean", lambda: df.groupby(df.passenger_count).tip_amount.mean().compute())
    step("tip_frac.mean", lambda: (df.tip_amount / df.fare_amount)[df.fare_amount > 0].mean().compute())
    step("value_counts", lambda: df.payment_type.value_counts().compute())
    df2 = step("set_index+persist", lambda: df.set_index("tpep_pickup_datetime").persist())
    step("loc_one_day", lambda: len(df2.loc["2015-05-05"].compute()))
    step("resample_1h_mean", lambda: df2.passenger_count.resample("1h").mean().compute())
    total = round(sum(s["s"] for s in steps), 3)
    report = {"mode": "tessera-python", "total_s": total, "steps": steps, "peak_rss_bytes": _peak_rss_bytes()}
    print(json.dumps(report), file=out, flush=True)
    return report


def to_pandas(rows, repeat=20, out=sys.stdout):
    """compute() of a persisted float64 column of `rows` rows to a pandas Series: the best of
    `repeat` runs, and whether the result shares the engine's memory (no copy)."""
    import numpy as np
    import pandas as pd

    values = np.random.default_rng(0).random(rows)
    column = dd.from_pandas(pd.DataFrame({"x": values}), npartitions=1, sort=False).persist().x
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = column.compute()
        times.append(time.perf_counter() - start)
    shares = bool(np.shares_memory(result.to_numpy(), column.compute().to_numpy()))
    report = {"bench": "to_pandas", "rows": rows, "best_s": round(min(times), 6),
              "median_s": round(sorted(times)[len(times) // 2], 6), "zero_copy": shares}
    print(f"compute() of {rows} float64 rows: best {min(times) * 1e3:.3f} ms, no copy: {shares}", file=out)
    print(json.dumps(report), file=out, flush=True)
    return report


def _best_of(repeat, fn):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def ml(rows, repeat=3, out=sys.stdout):
    """Small data: the same GridSearchCV under each joblib backend (best of `repeat`). Large data:
    LogisticRegression and KMeans(k=8) on `rows` x 20 float64 rows, tessera.ml on a tessera
    DataFrame (every scheduler thread) against scikit-learn on one core (threadpoolctl)."""
    import joblib
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_digits, make_blobs, make_classification
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC
    from threadpoolctl import threadpool_limits

    from . import ml as tml
    report = {"bench": "ml", "rows": rows, "grid_search_s": {}}
    X, y = load_digits(return_X_y=True)
    grid = {"C": [1.0, 10.0, 100.0], "gamma": [1e-3, 1e-4]}

    def search():
        return GridSearchCV(SVC(), grid, cv=5, n_jobs=-1).fit(X, y).best_score_
    backends = [("tessera", {}), ("loky", {}), ("threading", {}), ("dask", None)]
    for name, _ in backends:
        if name == "dask":
            from distributed import Client, LocalCluster
            with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
                    Client(cluster):
                with joblib.parallel_config(backend="dask"):
                    search()  # workers warm
                    seconds, score = _best_of(repeat, search)
        else:
            with joblib.parallel_config(backend=name):
                seconds, score = _best_of(repeat, search)
        report["grid_search_s"][name] = round(seconds, 3)
        print(f"GridSearchCV(SVC) digits, 30 fits, backend={name:9s} {seconds:7.3f} s  best_score={score:.4f}",
              file=out, flush=True)

    Xc, yc = make_classification(n_samples=rows, n_features=20, n_informative=10, random_state=0)
    frame = pd.DataFrame(Xc, columns=[f"f{i}" for i in range(20)])
    npartitions = max(2, rows // 250_000)
    df = dd.from_pandas(frame, npartitions=npartitions).persist()
    target = dd.from_pandas(pd.Series(yc, name="y"), npartitions=npartitions).persist()
    import sklearn.cluster
    import sklearn.linear_model
    seconds, model = _best_of(1, lambda: tml.linear_model.LogisticRegression().fit(df, target))
    accuracy = tml.metrics.accuracy_score(yc, model.predict(Xc))
    with threadpool_limits(1):
        ref_seconds, reference = _best_of(1, lambda: sklearn.linear_model.LogisticRegression().fit(Xc, yc))
    ref_accuracy = float(reference.score(Xc, yc))
    report["logistic"] = {"tessera_s": round(seconds, 3), "sklearn_1core_s": round(ref_seconds, 3),
                          "accuracy": accuracy, "sklearn_accuracy": ref_accuracy}
    print(f"LogisticRegression {rows} x 20: tessera.ml {seconds:.3f} s (accuracy {accuracy:.5f}); "
          f"scikit-learn lbfgs 1 core {ref_seconds:.3f} s (accuracy {ref_accuracy:.5f})", file=out, flush=True)

    Xb, _ = make_blobs(n_samples=rows, n_features=20, centers=8, random_state=0)
    blobs = dd.from_pandas(pd.DataFrame(Xb), npartitions=npartitions).persist()
    seconds, km = _best_of(1, lambda: tml.cluster.KMeans(8, random_state=0).fit(blobs))
    with threadpool_limits(1):
        ref_seconds, ref_km = _best_of(1, lambda: sklearn.cluster.KMeans(8, n_init=1, random_state=0).fit(Xb))
    report["kmeans"] = {"tessera_s": round(seconds, 3), "sklearn_1core_s": round(ref_seconds, 3),
                        "inertia_ratio": km.inertia_ / ref_km.inertia_}
    print(f"KMeans(8) {rows} x 20: tessera.ml {seconds:.3f} s; scikit-learn 1 core (n_init=1) {ref_seconds:.3f} s; "
          f"inertia / scikit-learn's = {km.inertia_ / ref_km.inertia_:.5f}", file=out, flush=True)
    report["peak_rss_bytes"] = _peak_rss_bytes()
    report["data_bytes"] = int(Xc.nbytes)
    print(json.dumps(report), file=out, flush=True)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tessera.bench")
    commands = parser.add_subparsers(dest="command", required=True)
    seed_parser = commands.add_parser("seed", help="the tutorial's taxi workflow, step by step")
    seed_parser.add_argument("glob", help="taxi CSV files, e.g. 'data/taxi/*.csv'")
    pandas_parser = commands.add_parser("to-pandas", help="compute() of one float64 column to pandas")
    pandas_parser.add_argument("rows", type=int, nargs="?", default=6_000_000)
    ml_parser = commands.add_parser("ml", help="joblib backends on a grid search; tessera.ml against scikit-learn")
    ml_parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    if args.command == "seed":
        seed(args.glob)
    elif args.command == "ml":
        ml(args.rows)
    else:
        to_pandas(args.rows)


if __name__ == "__main__":
    main()
