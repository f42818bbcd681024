"""Operations on several frames: ``concat`` and ``merge``."""

from __future__ import annotations

from .. import _core
from .core import DataFrame, Series, _reject


def concat(dfs, axis=0, **kwargs):
    """Stacks frames (or Series) along rows, keeping their partitions."""
    _reject(kwargs, "concat")
    if axis not in (0, "index"):
        raise NotImplementedError("concat along columns is not supported yet")
    dfs = list(dfs)
    if dfs and all(isinstance(d, Series) for d in dfs):
        stacked = DataFrame(_core.concat([d._d.to_frame() for d in dfs]))
        return dfs[0]._from_frame(stacked)
    return DataFrame(_core.concat([d._d if isinstance(d, DataFrame) else d._d.to_frame() for d in dfs]))


def merge(left, right, **kwargs):
    return left.merge(right, **kwargs)

