"""The dashboard a Client serves, and performance reports, over real HTTP and files."""

import json
import re
import time
import urllib.error
import urllib.request

import numpy as np
import pandas as pd

import tessera.dataframe as dd
from tessera.diagnostics import performance_report
from tessera.distributed import Client


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_client_serves_a_dashboard_with_its_work():
    with Client(n_workers=1, threads_per_worker=2, dashboard_address="127.0.0.1:0") as client:
        link = client.dashboard_link
        assert link.startswith("http://127.0.0.1:") and link.endswith("/status")
        assert link in repr(client) and link in client._repr_html_()
        df = dd.from_pandas(pd.DataFrame({"x": np.arange(1000.0)}), npartitions=4)
        assert df.x.sum().compute() == 499500.0
        base = link[: -len("/status")]
        assert "/static/dashboard.js" in get(link)
        summary = json.loads(get(base + "/api/summary"))
        assert summary["threads"] == 2
        deadline = time.monotonic() + 10
        stream = {"tasks": []}
        while len(stream["tasks"]) < 4 and time.monotonic() < deadline:  # events arrive within ms
            time.sleep(0.05)
            stream = json.loads(get(base + "/api/task-stream?since=-1"))
        assert len(stream["tasks"]) >= 4
        assert all(t["status"] == "ok" and t["stop"] >= t["start"] for t in stream["tasks"])
    without = Client(n_workers=1, threads_per_worker=1, dashboard_address=None)
    assert without.dashboard_link is None
    without.close()


def status_and_text(url, method="GET", headers=None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def test_dashboard_refuses_foreign_hosts_bad_queries_and_other_methods():
    with Client(n_workers=1, threads_per_worker=1, dashboard_address="127.0.0.1:0") as client:
        base = client.dashboard_link[: -len("/status")]
        port = base.rsplit(":", 1)[1]
        assert status_and_text(base + "/api/summary", headers={"Host": f"localhost:{port}"})[0] == 200
        # a web page whose own name resolves to 127.0.0.1 (DNS rebinding) sends that name
        status, text, _ = status_and_text(base + "/api/summary", headers={"Host": f"rebind.example:{port}"})
        assert status == 403 and "not this dashboard's address" in text and "threads" not in text
        status, text, _ = status_and_text(base + "/api/profile?prefix=%zz")
        assert status == 400 and "percent-encoding" in text
        status, text, _ = status_and_text(base + "/api/task-stream?since=later")
        assert status == 400 and "'since'" in text
        status, text, headers = status_and_text(base + "/api/summary", method="POST")
        assert status == 405 and headers["Allow"] == "GET, HEAD"
        status, text, headers = status_and_text(base + "/status", method="HEAD")
        assert status == 200 and text == "" and int(headers["Content-Length"]) == len(get(base + "/status").encode())


def test_performance_report_is_written(tmp_path):
    path = tmp_path / "report.html"
    df = dd.from_pandas(pd.DataFrame({"x": np.arange(100.0)}), npartitions=2)
    with performance_report(str(path)):
        assert df.x.mean().compute() == 49.5
    html = path.read_text()
    assert "window.TESSERA_REPORT = " in html
    assert "/static/" not in html
    report = json.loads(html.split("window.TESSERA_REPORT = ", 1)[1].split(";</script>", 1)[0].replace("<\\/", "</"))
    assert len(report["taskStream"]["tasks"]) >= 2


def spin_in_python(seconds):
    end = time.perf_counter() + seconds
    total = 0
    while time.perf_counter() < end:
        total += 1
    return total


def test_profile_shows_python_frames_of_python_tasks():
    with Client(n_workers=1, threads_per_worker=2, dashboard_address="127.0.0.1:0") as client:
        assert client.submit(spin_in_python, 0.5, pure=False).result() > 0
        base = client.dashboard_link[: -len("/status")]
        profile = json.loads(get(base + "/api/profile?prefix=spin_in_python"))
        names = set()

        def walk(node):
            names.add(node["name"])
            for child in node["children"]:
                walk(child)
        walk(profile["root"])
        assert profile["samples"] > 5
        assert "python" in names
        assert any(name.endswith(".spin_in_python") for name in names), sorted(names)[:20]


def test_profile_names_the_engines_frames_from_the_extension_module(tmp_path):
    # the C++ engine runs inside tessera._core, loaded by dlopen: its frames are named from the
    # module's line tables, static and inlined functions included, with file and line
    from tessera.datasets import taxi

    taxi(str(tmp_path), files=2, rows=200_000)
    with Client(n_workers=1, threads_per_worker=2, dashboard_address="127.0.0.1:0") as client:
        df = dd.read_csv(str(tmp_path / "*.csv"), blocksize=2_000_000, parse_dates=["tpep_pickup_datetime"]).persist()
        assert len(df.set_index("tpep_pickup_datetime").persist()) == 400_000
        base = client.dashboard_link[: -len("/status")]
        deadline = time.monotonic() + 10
        names = set()
        while time.monotonic() < deadline:  # the sampler drains its ring every 10 ms
            names.clear()
            stack = [json.loads(get(base + "/api/profile"))["root"]]
            while stack:
                node = stack.pop()
                names.add(node["name"])
                stack.extend(node["children"])
            if any(re.fullmatch(r"tessera::io::ReadCsvBlock \(csv_reader\.cpp:\d+\)", n) for n in names):
                break
            time.sleep(0.05)
        assert any(re.fullmatch(r"tessera::io::ReadCsvBlock \(csv_reader\.cpp:\d+\)", n) for n in names), sorted(names)[:40]
        engine = [n for n in names if n.startswith("tessera::")]
        assert all(re.search(r" \(\w+\.(cpp|hpp):\d+\)$", n) for n in engine), engine
        assert not any(re.fullmatch(r"0x[0-9a-f]+", n) for n in names), sorted(n for n in names if n.startswith("0x"))
