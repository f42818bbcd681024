"""Benchmarks of the Python API, each ending with one JSON line.

``python -m tessera.bench seed GLOB``: the tutorial's taxi workflow step by step, with the step
names and JSON line of ``tessera bench seed`` (and of the anchors' run-anchors), so the figures
compare line by line; with ``--cluster local:N`` on a Dask LocalCluster of N worker processes
of one thread each (the peak RSS is then the sum over the client and the workers).
``python -m tessera.bench transfer GLOB --cluster local:2``: moving a persisted frame from one
worker to another (GB/s). ``python -m tessera.bench to-pandas [ROWS]``: compute() of one float64
column to pandas."""

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
    args = parser.parse_args(argv)
    if args.command == "seed":
        seed(args.glob, cluster=args.cluster)
    elif args.command == "transfer":
        transfer(args.glob, args.cluster)
    else:
        to_pandas(args.rows)


if __name__ == "__main__":
    main()
