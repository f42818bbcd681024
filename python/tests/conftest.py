import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def frame():
    rng = np.random.default_rng(7)
    n = 1000
    return pd.DataFrame({
        "i": rng.integers(-50, 50, n),
        "f": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
        "b": rng.random(n) < 0.5,
        "s": rng.choice(["apple", "banana", "cherry", "dürian", ""], n),
        "t": pd.Timestamp("2015-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 86400 * 30, n)), unit="s"),
        "k": rng.integers(0, 7, n),
    })
