"""Reading CSV files from local disk, from a local HTTP server with byte ranges, and from moto's
S3 server, all on loopback, with `tessera bench csv` (same reader, same threads):

    python benchmarks/remote/csv_remote_bench.py build/release/bin/tessera 'data/taxi/*.csv'

Starts the servers (python/tests/storage_servers.py), uploads the files to moto, runs each
read `--repeat` times and prints MB/s of CSV per source and the ratio to local files."""

import argparse
import glob
import json
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python", "tests"))
from storage_servers import FileServer, MotoServer  # noqa: E402


def bench(tessera, paths, environment, parse_dates):
    """MB/s of CSV read, and the reader's CPU seconds (user + system)."""
    command = [tessera, "bench", "csv", *paths] + (["--parse-dates", parse_dates] if parse_dates else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run(command, env={**os.environ, **environment}, check=True, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result["bytes"] / 1e6 / result["seconds"], cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tessera")
    parser.add_argument("pattern")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parse-dates", default="tpep_pickup_datetime,tpep_dropoff_datetime")
    args = parser.parse_args()
    files = sorted(glob.glob(args.pattern))
    root = os.path.dirname(os.path.abspath(files[0]))
    http = FileServer(root)
    moto = MotoServer()
    try:
        client = moto.client()
        client.create_bucket(Bucket="bench")
        for file in files:
            client.upload_file(file, "bench", "csv/" + os.path.basename(file))
        credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_ENDPOINT_URL": moto.endpoint}
        sources = {
            "local files": ([os.path.abspath(f) for f in files], {}),
            "http server": ([f"{http.url}/{os.path.basename(f)}" for f in files], {}),
            "moto s3": (["s3://bench/csv/*.csv"], credentials),
        }
        best = {}
        for name, (paths, environment) in sources.items():
            runs = [bench(args.tessera, paths, environment, args.parse_dates) for _ in range(args.repeat)]
            best[name] = max(rate for rate, _ in runs)
            print(f"{name:12s} best {best[name]:7.1f} MB/s  runs "
                  + ", ".join(f"{rate:.1f} MB/s ({cpu:.2f} CPU s)" for rate, cpu in runs), flush=True)
        for name in ("http server", "moto s3"):
            print(f"{name}: {100 * best[name] / best['local files']:.0f}% of local files")
    finally:
        moto.stop()
        http.stop()


if __name__ == "__main__":
    main()
