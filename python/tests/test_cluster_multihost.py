"""Several hosts on one machine: the scheduler, two workers and the client each in a network
namespace of their own, joined by veth pairs to a bridge in a fifth one, started with the
ordinary ``dask scheduler`` / ``dask worker`` commands. The client reaches the scheduler by its
address only, as on a real network. Skips (saying why) where namespaces cannot be made."""

import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

pytest.importorskip("distributed")

from tessera import _core  # noqa: E402

from cluster_lesson import DATES, lesson  # noqa: E402

SUBNET = "10.231.77"
HOSTS = {"scheduler": 1, "worker1": 2, "worker2": 3, "client": 4}
PYTHONPATH = os.pathsep.join(p for p in [os.path.dirname(os.path.dirname(_core.__file__)),
                                         os.path.dirname(__file__), os.environ.get("PYTHONPATH")] if p)


def _ip(*args, namespace=None):
    command = ["ip", *args] if namespace is None else ["ip", "netns", "exec", namespace, "ip", *args]
    subprocess.run(command, check=True, capture_output=True, text=True)


def _why_no_namespaces():
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    if os.geteuid() != 0:
        return "making network namespaces needs root"
    probe = f"tsprobe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


class Network:
    """Namespaces ts<pid><role> with address SUBNET.N each, bridged in ts<pid>sw."""

    def __init__(self):
        tag = str(os.getpid())[-5:]
        self.switch = f"ts{tag}sw"
        self.namespaces = {role: f"ts{tag}{role[0]}{role[-1]}" for role in HOSTS}
        self.made = []

    def up(self):
        _ip("netns", "add", self.switch)
        self.made.append(self.switch)
        _ip("link", "add", "br0", "type", "bridge", namespace=self.switch)
        _ip("link", "set", "br0", "up", namespace=self.switch)
        for role, number in HOSTS.items():
            namespace = self.namespaces[role]
            _ip("netns", "add", namespace)
            self.made.append(namespace)
            inner, outer = f"v{number}in", f"v{number}out"
            _ip("link", "add", inner, "netns", namespace, "type", "veth", "peer", "name", outer, "netns",
                self.switch)
            _ip("link", "set", outer, "master", "br0", namespace=self.switch)
            _ip("link", "set", outer, "up", namespace=self.switch)
            _ip("addr", "add", f"{SUBNET}.{number}/24", "dev", inner, namespace=namespace)
            _ip("link", "set", inner, "up", namespace=namespace)
            _ip("link", "set", "lo", "up", namespace=namespace)

    def down(self):
        for namespace in reversed(self.made):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)

    def start(self, role, *command, log):
        env = dict(os.environ, PYTHONPATH=PYTHONPATH)
        return subprocess.Popen(["ip", "netns", "exec", self.namespaces[role], *command], env=env,
                                stdout=log, stderr=subprocess.STDOUT)

    def run(self, role, *command, timeout):
        env = dict(os.environ, PYTHONPATH=PYTHONPATH)
        return subprocess.run(["ip", "netns", "exec", self.namespaces[role], *command], env=env,
                              capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    reason = _why_no_namespaces()
    if reason:
        pytest.skip(f"no network namespaces on this machine: {reason}")
    logs = tmp_path_factory.mktemp("hosts")
    dask_command = os.path.join(os.path.dirname(sys.executable), "dask")
    network = Network()
    processes = []
    try:
        network.up()
        address = f"tcp://{SUBNET}.1:8786"
        processes.append(network.start("scheduler", dask_command, "scheduler", "--host", f"{SUBNET}.1",
                                       "--port", "8786", "--no-dashboard", log=open(logs / "scheduler.log", "w")))
        for role in ("worker1", "worker2"):
            processes.append(network.start(role, dask_command, "worker", address, "--host",
                                           f"{SUBNET}.{HOSTS[role]}", "--nthreads", "1", "--nworkers", "1",
                                           "--no-dashboard", "--name", role, log=open(logs / f"{role}.log", "w")))
        yield network, address, logs
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        network.down()


CLIENT = textwrap.dedent("""
    import json, os, pickle, sys
    import tessera
    from tessera.distributed import Client
    address, glob, out = sys.argv[1:4]
    with Client(address, timeout=30) as client:
        client.wait_for_workers(2, timeout=60)
        hosts = sorted(w["host"] for w in client.scheduler_info()["workers"].values())
        total = tessera.delayed(sum)([tessera.delayed(pow)(i, 2) for i in range(10)]).compute()
        result = {"hosts": hosts, "delayed": total, "client_pid": os.getpid()}
        if len(sys.argv) > 4:
            import tessera.dataframe as dd
            from cluster_lesson import DATES, lesson
            result["lesson"] = lesson(dd.read_csv(glob, parse_dates=DATES).persist())
    with open(out, "wb") as f:
        pickle.dump(result, f)
""")


def _client(network, address, logs, glob, with_lesson):
    script = logs / "client.py"
    script.write_text(CLIENT)
    out = logs / f"client-{with_lesson}.pickle"
    args = [sys.executable, str(script), address, glob, str(out)] + (["lesson"] if with_lesson else [])
    done = network.run("client", *args, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr + "".join(
        (logs / f).read_text() for f in ("scheduler.log", "worker1.log", "worker2.log"))
    with open(out, "rb") as f:
        return pickle.load(f)


def test_delayed_runs_across_namespaces(hosts, tmp_path):
    network, address, logs = hosts
    result = _client(network, address, logs, "", with_lesson=False)
    assert result["hosts"] == [f"{SUBNET}.2", f"{SUBNET}.3"]
    assert result["delayed"] == sum(i * i for i in range(10))


@pytest.mark.skipif(not hasattr(_core, "lower_tasks"),
                    reason="this engine build cannot lower DataFrame graphs into tasks (tessera._core.lower_tasks)")
def test_taxi_lesson_across_namespaces_matches_local(hosts, tmp_path):
    import tessera
    import tessera.dataframe as dd
    network, address, logs = hosts
    tessera.datasets.taxi(str(tmp_path), files=3, rows=20_000)
    os.chmod(tmp_path, 0o755)
    glob = str(tmp_path / "*.csv")
    local = lesson(dd.read_csv(glob, parse_dates=DATES).persist())
    remote = _client(network, address, logs, glob, with_lesson=True)["lesson"]
    assert remote.keys() == local.keys()
    for name, value in local.items():
        if isinstance(value, (pd.DataFrame, pd.Series)):
            pd.testing.assert_frame_equal(pd.DataFrame(remote[name]), pd.DataFrame(value))
        else:
            assert remote[name] == value, name
