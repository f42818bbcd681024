"""Error paths raise the right Python exceptions; Ctrl-C interrupts; the progress bar."""

import io
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import tessera
import tessera.dataframe as dd
from tessera import delayed
from tessera.diagnostics import ProgressBar


@pytest.fixture
def df():
    return dd.from_pandas(pd.DataFrame({"x": np.arange(20.0), "s": ["a"] * 20}), npartitions=4)


def test_bad_arguments_raise_python_exceptions(df):
    with pytest.raises(KeyError, match="missing"):
        df["missing"]
    with pytest.raises(TypeError):
        (df.s + 1).compute()
    with pytest.raises(ValueError, match="index"):
        df.reset_index(drop=True).loc["a":"b"].compute()
    with pytest.raises(TypeError, match="constant"):
        df.x + object()
    with pytest.raises(TypeError, match="resample needs a timestamp index"):
        df.x.resample("1h")
    with pytest.raises(TypeError, match="repartition needs"):
        df.repartition()
    with pytest.raises(TypeError, match="truth value"):
        bool(df.x > 1)
    with pytest.raises(ValueError):
        df.groupby("s").agg({"x": "bogus"}).compute()


def test_keyboard_interrupt_during_compute_cancels_and_keeps_the_engine_usable():
    def slow(i):
        time.sleep(0.2)
        return i

    parts = [delayed(slow)(i) for i in range(200)]
    total = delayed(sum)(parts)
    main = threading.get_ident()
    timer = threading.Timer(0.3, lambda: signal.pthread_kill(main, signal.SIGINT))
    timer.start()
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        total.compute()
    assert time.perf_counter() - start < 5  # 200 x 0.2 s would take 20 s on 2 threads
    assert delayed(sum)([1, 2]).compute() == 3


def test_keyboard_interrupt_during_dataframe_compute(df):
    def slow(part):
        time.sleep(1.0)
        return part

    main = threading.get_ident()
    threading.Timer(0.2, lambda: signal.pthread_kill(main, signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        df.map_partitions(slow, meta=df._meta).repartition(npartitions=20).compute()
    assert df.x.sum().compute() == 190.0


def test_progress_bar_reaches_one_hundred_percent(df):
    out = io.StringIO()
    with ProgressBar(out=out, dt=0.01) as bar:
        df.x.sum().compute()
    assert bar.last_fraction == 1.0
    assert "100% Completed" in out.getvalue()
