"""Splitting data block by block, and hyper-parameter search (Dask-ML's model_selection names)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold as _SklearnKFold

from ._blocks import _is_chunked_array, _is_tessera, raw_parts

__all__ = ["train_test_split", "KFold"]


def _split_sizes(n, test_size, train_size):
    def count(size, name):
        if size is None:
            return None
        if isinstance(size, numbers.Real) and not isinstance(size, numbers.Integral):
            if not 0 < size < 1:
                raise ValueError(f"{name} as a fraction must be between 0 and 1; got {size!r}")
            return size
        raise ValueError(f"{name} must be a fraction between 0 and 1 (splits are block by block); got {size!r}")
    test, train = count(test_size, "test_size"), count(train_size, "train_size")
    if test is None and train is None:
        test = 0.25
    if test is None:
        test = 1 - train
    if train is None:
        train = 1 - test
    if test + train > 1 + 1e-12:
        raise ValueError(f"test_size + train_size = {test + train} exceeds 1")
    return test, train


def _block_positions(length, test, train, seed, shuffle):
    """(train rows, test rows) of one block: a seeded permutation, the first ceil(test * n) to
    test (scikit-learn's rounding), the next floor(train * n) to train."""
    n_test = int(np.ceil(test * length))
    n_train = min(int(np.floor(train * length)), length - n_test)
    order = np.random.default_rng(seed).permutation(length) if shuffle else np.arange(length)[::-1]
    test_rows = np.sort(order[:n_test])
    train_rows = np.sort(order[n_test:n_test + n_train])
    return train_rows, test_rows


def _take(part, rows):
    return part.iloc[rows] if isinstance(part, (pd.DataFrame, pd.Series)) else part[rows]


def _assemble(original, parts):
    if _is_tessera(original):
        from ..dataframe import from_delayed
        from ..delayed import delayed
        if isinstance(parts[0], pd.Series):
            name = parts[0].name if parts[0].name is not None else "__values__"
            series = from_delayed([delayed(p.to_frame(name)) for p in parts])[name]
            return series if parts[0].name is not None else series.rename(None)
        return from_delayed([delayed(p) for p in parts])
    if _is_chunked_array(original):
        import importlib
        module = importlib.import_module(type(original).__module__.split(".")[0] + ".array")
        return module.concatenate([module.from_array(p, chunks=p.shape) for p in parts])
    if isinstance(original, (pd.DataFrame, pd.Series)):
        return pd.concat(parts)
    return np.concatenate(parts)


def train_test_split(*arrays, test_size=None, train_size=None, random_state=None, shuffle=True, blockwise=True,
                     **options):
    """Splits each of `arrays` (same rows, same blocks) into train and test parts, block by
    block: every block is shuffled with its own seed (from random_state) and split by the
    fractions, so the same random_state gives the same split however the work is scheduled.
    Results keep the input's kind (a tessera DataFrame stays one, with one partition per
    input partition). Returns train, test for each array, as scikit-learn does."""
    if options:
        raise TypeError(f"train_test_split got unexpected arguments {sorted(options)}")
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    if not blockwise:
        raise NotImplementedError("blockwise=False (a global shuffle) is not supported; splits are block by block")
    parts = [raw_parts(a, f"arrays[{i}]") for i, a in enumerate(arrays)]
    lengths = [len(p) for p in parts[0]]
    for i, p in enumerate(parts[1:], 1):
        if [len(b) for b in p] != lengths:
            raise ValueError(f"arrays[{i}] has blocks of {[len(b) for b in p][:8]} rows but arrays[0] has "
                             f"{lengths[:8]}; every array must have the same rows in the same blocks")
    test, train = _split_sizes(len(lengths) and sum(lengths), test_size, train_size)
    if isinstance(random_state, np.random.RandomState):
        random_state = int(random_state.randint(2**31))
    seeds = np.random.SeedSequence(random_state).spawn(len(lengths))
    positions = [_block_positions(n, test, train, seed, shuffle) for n, seed in zip(lengths, seeds)]
    out = []
    for original, blocks in zip(arrays, parts):
        out.append(_assemble(original, [_take(b, tr) for b, (tr, _) in zip(blocks, positions)]))
        out.append(_assemble(original, [_take(b, te) for b, (_, te) in zip(blocks, positions)]))
    return out


class KFold(_SklearnKFold):
    """scikit-learn's KFold; also splits tessera collections and chunked arrays (by their
    number of rows)."""

    def split(self, X, y=None, groups=None):
        if _is_tessera(X):
            X = np.empty((len(X), 0))
        elif _is_chunked_array(X):
            X = np.empty((sum(X.chunks[0]), 0))
        return super().split(X, y, groups)
