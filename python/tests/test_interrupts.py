"""Ctrl-C while waiting for futures: a real SIGINT sent to a process blocked in gather, result,
wait or as_completed raises KeyboardInterrupt within a second and cancels exactly the futures
the call waited on (the tasks sleep 20 s, so waiting for them cannot pass)."""

import os
import pathlib
import select
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import tessera

SCRIPT = textwrap.dedent("""
    import os, sys, time
    from tessera.distributed import Client, as_completed, wait

    def slow(i):
        time.sleep(20)
        return i

    client = Client(n_workers=1, threads_per_worker=2, dashboard_address=None)
    futures = client.map(slow, range(4), pure=False)
    mode = sys.argv[1]
    print("waiting", flush=True)
    try:
        if mode == "gather":
            client.gather(futures)
        elif mode == "gather_nested":
            client.gather({"a": futures[:2]})
        elif mode == "result":
            futures[0].result()
        elif mode == "wait":
            wait(futures)
        elif mode == "as_completed":
            for f in as_completed(futures):
                pass
        print("returned", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        print(" ".join(f.status for f in futures), flush=True)
    os._exit(0)  # the sleeping tasks would keep an orderly exit waiting
""")


def _read_line(process, timeout):
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    return process.stdout.readline().strip() if ready else None


@pytest.mark.parametrize("mode, cancelled", [
    ("gather", 4), ("gather_nested", 2), ("result", 1), ("wait", 4), ("as_completed", 4)])
def test_ctrl_c_while_waiting_interrupts_at_once_and_cancels_the_waited_futures(tmp_path, mode, cancelled):
    script = tmp_path / "wait_for_futures.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(tessera.__file__).resolve().parents[1]))
    process = subprocess.Popen([sys.executable, str(script), mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        assert _read_line(process, 60) == "waiting", process.stderr.read()
        time.sleep(0.5)  # the call is blocked in its wait by now
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        line = _read_line(process, 10)
        elapsed = time.monotonic() - sent
        assert line == "interrupted", (line, process.stderr.read() if line is None else "")
        assert elapsed < 1.0
        statuses = _read_line(process, 10).split()
        # the waited futures are cancelled; the others still run
        assert statuses[:cancelled] == ["cancelled"] * cancelled
        assert statuses[cancelled:] == ["pending"] * (4 - cancelled)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
