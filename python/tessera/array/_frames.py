"""DataFrame / Series values as chunked arrays."""

from __future__ import annotations

import numbers

import numpy as np

from ..base import compute
from .core import concatenate, from_array

__all__ = ["frame_to_array"]


def frame_to_array(frame, lengths=None):
    parts = compute(*[frame.partitions[i] for i in range(frame.npartitions)])
    values = [p.to_numpy() for p in parts]
    sizes = [len(v) for v in values]
    if isinstance(lengths, (list, tuple)):
        if [int(n) for n in lengths] != sizes:
            raise ValueError(f"lengths={list(lengths)} do not match the partition lengths {sizes}")
    elif lengths not in (None, True, False) and not isinstance(lengths, numbers.Integral):
        raise ValueError("lengths must be None, True or a list of partition lengths")
    if not values:
        return from_array(np.empty((0,) + ((len(frame.columns),) if hasattr(frame, "columns") else ())))
    dtype = np.result_type(*[v.dtype for v in values])
    blocks = [from_array(v.astype(dtype, copy=False), chunks=-1) for v in values]
    return concatenate(blocks, axis=0) if len(blocks) > 1 else blocks[0]
