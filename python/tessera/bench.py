"""Benchmarks of the Python API, each ending with one JSON line.

``python -m tessera.bench seed GLOB``: the tutorial's taxi workflow step by step, with the step
names and JSON line of ``tessera bench seed`` (and of the anchors' run-anchors), so the figures
compare line by line; with ``--cluster local:N`` on a Dask LocalCluster of N worker processes
of one thread each (the peak RSS is then the sum over the client and the workers).
``python -m tessera.bench transfer GLOB --cluster local:2``: moving a persisted frame from one
worker to another (GB/s). ``python -m tessera.bench to-pandas [ROWS]``: compute() of one float64
column to pandas. ``python -m tessera.bench array [--scale S]``: the array cases against
dask.array (and scipy.ndimage) in the same run, each case and library in a fresh process so
peak memory is its own. ``python -m tessera.bench ml [--rows N]``: GridSearchCV(SVC) on digits under
joblib's backends (tessera, loky, threading, Dask's on a LocalCluster), and tessera.ml's
LogisticRegression and KMeans on N x 20 rows against scikit-learn on one core."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import tessera.dataframe as dd

_DATES = ["tpep_pickup_datetime", "tpep_dropoff_datetime"]


def _peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cluster_client(spec):
    """A tessera Client on a Dask LocalCluster from ``local:N`` (N processes x 1 thread)."""
    kind, _, count = spec.partition(":")
    if kind != "local" or not count.isdigit() or int(count) < 1:
        raise SystemExit(f"--cluster takes local:N (N worker processes of one thread), got {spec!r}")
    from tessera.distributed import Client
    return Client(n_workers=int(count), threads_per_worker=1, processes=True, dashboard_address=None)


def _worker_peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def seed(glob, out=sys.stdout, cluster=None):
    client = _cluster_client(cluster) if cluster else None
    try:
        return _seed(glob, out, client)
    finally:
        if client is not None:
            client.close()


def _seed(glob, out, client):
    steps = []

    def step(name, fn):
        start = time.perf_counter()
        try:
            result = fn()
        except NotImplementedError as error:  # a step the cluster cannot run yet: reported, not timed
            if client is None:
                raise
            steps.append({"step": name, "error": str(error)})
            print(f"{name:28s} not on a cluster: {error}", file=out, flush=True)
            return None
        seconds = time.perf_counter() - start
        steps.append({"step": name, "s": round(seconds, 3)})
        shown = " ".join(str(result).split())[:70]
        print(f"{name:28s} {seconds:8.3f}s  {shown}", file=out, flush=True)
        return result

    def done(persisted):  # a cluster persist returns at once, as Dask's: the step waits for it
        if client is not None:
            import distributed
            distributed.wait(persisted)
        return persisted

    df = step("read_csv+persist", lambda: done(dd.read_csv(glob, parse_dates=_DATES).persist()))
    step("len", lambda: len(df))
    step("passenger_count.sum", lambda: df.passenger_count.sum().compute())
    step("groupby.tip.mean", lambda: df.groupby(df.passenger_count).tip_amount.mean().compute())
    step("tip_frac.mean", lambda: (df.tip_amount / df.fare_amount)[df.fare_amount > 0].mean().compute())
    step("value_counts", lambda: df.payment_type.value_counts().compute())
    df2 = step("set_index+persist", lambda: done(df.set_index("tpep_pickup_datetime").persist()))
    step("loc_one_day", lambda: len(df2.loc["2015-05-05"].compute()))
    step("resample_1h_mean", lambda: df2.passenger_count.resample("1h").mean().compute())
    total = round(sum(s.get("s", 0.0) for s in steps), 3)
    peak = _peak_rss_bytes()
    if client is not None:
        peak += sum(client.run(_worker_peak_rss_bytes).values())
    mode = "tessera-python" if client is None else "tessera-python-distributed"
    report = {"mode": mode, "total_s": total, "steps": steps, "peak_rss_bytes": peak}
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


def _nbytes(partitions):
    return sum(p.nbytes for p in partitions)


def transfer(glob, cluster="local:2", out=sys.stdout):
    """Persists the frame on one worker, then times a task on another worker that receives
    every partition (Dask's worker-to-worker transfer of tessera partitions): GB/s."""
    import distributed
    client = _cluster_client(cluster)
    try:
        source, target = sorted(client.scheduler_info()["workers"])[:2]
        df = client.persist(dd.read_csv(glob, parse_dates=_DATES), workers=[source])
        futures = distributed.futures_of(df)
        distributed.wait(futures)
        start = time.perf_counter()
        moved = client.submit(_nbytes, futures, workers=[target], pure=False).result()
        seconds = time.perf_counter() - start
    finally:
        client.close()
    report = {"bench": "transfer", "bytes": moved, "partitions": len(futures), "s": round(seconds, 3),
              "gb_per_s": round(moved / seconds / 1e9, 3)}
    print(f"moved {moved / 1e9:.2f} GB in {len(futures)} partitions between two workers in {seconds:.3f}s: "
          f"{report['gb_per_s']} GB/s", file=out)
    print(json.dumps(report), file=out, flush=True)
    return report


ARRAY_CASES = ["tutorial", "persist-sum", "gaussian", "svd"]


def _array_case(case, lib, scale, repeat=3):
    """One array case with one library (tessera, dask or scipy): the first run's seconds (which
    includes the process's first touch of its memory) and the best of `repeat` runs."""
    import numpy as np
    if lib == "dask":
        import dask
        import dask.array as da
        dask.config.set(scheduler="threads", num_workers=2)
        compute = dask.compute
    else:
        import tessera.array as da
        compute = _tessera_compute
    report = {"case": case, "lib": lib}
    if case in ("tutorial", "persist-sum"):
        n, c = int(10000 * scale), int(1000 * scale)
        report["shape"] = [n, n]
        if case == "tutorial":
            def prepare():
                return da.random.random((n, n), chunks=(c, c))

            def run(x):
                (x + x.T)[::2, n // 2:].mean(axis=1).compute()
        else:
            def prepare():
                return da.random.random((n, n), chunks=(c, c)).persist()

            def run(y):
                y.sum().compute()
    elif case == "gaussian":
        import scipy.ndimage as ndi
        n, c = int(20000 * scale), int(2000 * scale)
        report["shape"] = [n, n]
        image = np.random.default_rng(0).random((n, n), dtype=np.float32)

        def prepare():
            return image

        def run(img):
            if lib == "scipy":
                ndi.gaussian_filter(img, sigma=2)
            else:
                da.from_array(img, chunks=(c, c)).map_overlap(ndi.gaussian_filter, depth=8, boundary="none",
                                                              sigma=2).compute()
    elif case == "svd":
        m, k, c = int(2_000_000 * scale), 100, int(100_000 * scale)
        report["input_bytes"] = m * k * 8
        x = da.random.random((m, k), chunks=(c, k)).persist()
        report["rss_before_svd"] = _peak_rss_bytes()

        def prepare():
            return x

        def run(a):
            u, s, v = da.linalg.svd(a)
            compute(u.sum(), s, v)
    else:
        raise ValueError(f"unknown array case {case!r}; one of {ARRAY_CASES}")
    times = []
    for _ in range(1 if case == "svd" else repeat):  # Dask's SVD alone takes minutes
        data = prepare()
        start = time.perf_counter()
        run(data)
        times.append(time.perf_counter() - start)
        del data
    report["first_s"] = round(times[0], 3)
    report["s"] = round(min(times), 3)
    report["peak_rss_bytes"] = _peak_rss_bytes()
    if case == "svd":  # the persisted input plus what the SVD added on top of it
        report["peak_over_input"] = round((report["input_bytes"] + report["peak_rss_bytes"] -
                                           report["rss_before_svd"]) / report["input_bytes"], 2)
    return report


def _tessera_compute(*objects):
    import tessera
    return tessera.compute(*objects)


def array(scale=1.0, cases=None, out=sys.stdout):
    """Each case with tessera and dask.array (scipy alone for the filter), in fresh processes;
    ratios compare the best of three runs (the first run also pays for touching new memory)."""
    rows = []
    for case in cases or ARRAY_CASES:
        libs = ["tessera", "dask"] + (["scipy"] if case == "gaussian" else [])
        for lib in libs:
            done = subprocess.run([sys.executable, "-m", "tessera.bench", "array-case", case, lib, str(scale)],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"array case {case} with {lib} failed:\n{done.stderr}")
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(row)
            extra = ""
            if case == "svd":
                extra = f"  peak {row['peak_over_input']:.2f}x the input"
            print(f"{case:12s} {lib:8s} best {row['s']:8.3f}s  first {row['first_s']:8.3f}s{extra}", file=out,
                  flush=True)
    by = {(r["case"], r["lib"]): r for r in rows}
    ratios = {case: round(by[(case, "tessera")]["s"] / by[(case, "dask")]["s"], 3)
              for case in cases or ARRAY_CASES if (case, "dask") in by}
    if ("gaussian", "scipy") in by:
        ratios["gaussian_vs_scipy_per_core"] = round(by[("gaussian", "tessera")]["s"] /
                                                     (by[("gaussian", "scipy")]["s"] / 2), 3)
    report = {"bench": "array", "scale": scale, "rows": rows, "tessera_over_dask": ratios}
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
    seed_parser.add_argument("--cluster", help="local:N runs on a Dask LocalCluster of N worker processes x 1 thread")
    transfer_parser = commands.add_parser("transfer", help="a persisted frame moved between two workers (GB/s)")
    transfer_parser.add_argument("glob", help="taxi CSV files, e.g. 'data/taxi/*.csv'")
    transfer_parser.add_argument("--cluster", default="local:2", help="local:N (N >= 2)")
    pandas_parser = commands.add_parser("to-pandas", help="compute() of one float64 column to pandas")
    pandas_parser.add_argument("rows", type=int, nargs="?", default=6_000_000)
    array_parser = commands.add_parser("array", help="tessera.array against dask.array (and scipy.ndimage)")
    array_parser.add_argument("--scale", type=float, default=1.0, help="edge lengths times this (1 = full size)")
    array_parser.add_argument("--case", action="append", choices=ARRAY_CASES, help="run only these cases")
    case_parser = commands.add_parser("array-case", help=argparse.SUPPRESS)
    case_parser.add_argument("case")
    case_parser.add_argument("lib", choices=["tessera", "dask", "scipy"])
    case_parser.add_argument("scale", type=float)
    ml_parser = commands.add_parser("ml", help="joblib backends on a grid search; tessera.ml against scikit-learn")
    ml_parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    if args.command == "seed":
        seed(args.glob, cluster=args.cluster)
    elif args.command == "transfer":
        transfer(args.glob, args.cluster)
    elif args.command == "array":
        array(args.scale, args.case)
    elif args.command == "array-case":
        print(json.dumps(_array_case(args.case, args.lib, args.scale)), flush=True)
    elif args.command == "ml":
        ml(args.rows)
    else:
        to_pandas(args.rows)


if __name__ == "__main__":
    main()
