"""Statistics computed from per-partition summaries combined in one partition: ``corr`` and
``cov`` (pairwise-complete, as pandas), ``memory_usage`` and ``mode``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .partition_functions import zip_partitions

_STAT = "\x1fstatistic"
# per partition, for every pair of columns (i, j) over the rows where both are present: the row
# count, the means of i and of j, the co-moment of i and j and the second moments of i and of j
_MOMENTS = ("n", "mean_i", "mean_j", "comoment", "m2_i", "m2_j")


def _pairwise_moments(frame: pd.DataFrame) -> pd.DataFrame:
    values = frame.to_numpy(dtype=float, na_value=np.nan)
    present = ~np.isnan(values)
    zeroed = np.where(present, values, 0.0)
    weights = present.astype(float)
    n = weights.T @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        sum_i = zeroed.T @ weights             # [i, j]: sum of column i over rows where j is present too
        mean_i = sum_i / n
        mean_j = mean_i.T
        sq_i = (zeroed ** 2).T @ weights
        m2_i = sq_i - sum_i * mean_i
        comoment = zeroed.T @ zeroed - sum_i * mean_j
    m2_j = m2_i.T
    pieces = [pd.DataFrame(np.nan_to_num(block), columns=frame.columns).assign(**{_STAT: k})
              for k, block in enumerate((n, mean_i, mean_j, comoment, m2_i, m2_j))]
    return pd.concat(pieces, ignore_index=True)


def _combined_moments(summaries: pd.DataFrame, k: int):
    """Chan's parallel update of the pairwise moments of every partition."""
    blocks = {name: [] for name in _MOMENTS}
    for _, part in summaries.groupby(summaries.index // (len(_MOMENTS) * k), sort=True):
        for number, name in enumerate(_MOMENTS):
            blocks[name].append(part[part[_STAT] == number].drop(columns=[_STAT]).to_numpy(dtype=float))
    n, mean_i, mean_j, comoment, m2_i, m2_j = (np.zeros((k, k)) for _ in range(6))
    for b_n, b_mi, b_mj, b_c, b_m2i, b_m2j in zip(*(blocks[name] for name in _MOMENTS)):
        total = n + b_n
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, b_n / total, 0.0)
            delta_i, delta_j = b_mi - mean_i, b_mj - mean_j
            comoment = comoment + b_c + delta_i * delta_j * n * share
            m2_i = m2_i + b_m2i + delta_i ** 2 * n * share
            m2_j = m2_j + b_m2j + delta_j ** 2 * n * share
            mean_i, mean_j = mean_i + delta_i * share, mean_j + delta_j * share
        n = total
    return n, comoment, m2_i, m2_j


def corr_cov(frame, method, min_periods, ddof, numeric_only):
    """DataFrame.corr (Pearson) / cov over every pair of numeric columns, each pair over the rows
    where both are present (pandas' pairwise-complete statistics)."""
    name = "corr" if ddof is None else "cov"
    if name == "corr" and method != "pearson":
        raise NotImplementedError(f"corr(method={method!r}): only method='pearson' is supported")
    dtypes = frame.dtypes
    numeric = [c for c, t in dtypes.items() if getattr(t, "kind", "O") in "biuf"]
    if not numeric_only and len(numeric) != len(dtypes):
        other = [c for c in dtypes.index if c not in numeric]
        raise ValueError(f"{name}: column(s) {other} are not numeric; select numeric columns or pass "
                         f"numeric_only=True")
    columns = pd.Index(numeric)
    k = len(numeric)
    frame = frame[numeric]
    meta = pd.DataFrame({c: pd.Series([], dtype=float) for c in numeric}).assign(**{_STAT: pd.Series([], dtype="int64")})
    summaries = zip_partitions(_pairwise_moments, [frame], meta=meta, name=f"{name}-chunk", keep_index=False)
    minimum = 1 if min_periods is None else int(min_periods)
    if name == "corr":
        minimum = max(minimum, 2)

    def finish(summary):
        n, comoment, m2_i, m2_j = _combined_moments(summary.reset_index(drop=True), k)
        with np.errstate(invalid="ignore", divide="ignore"):
            if name == "corr":
                values = comoment / np.sqrt(m2_i * m2_j)
                values = np.clip(values, -1.0, 1.0)
            else:
                values = np.where(n - ddof > 0, comoment / (n - ddof), np.nan)
        values = np.where(n >= minimum, values, np.nan)
        return pd.DataFrame(values, index=columns, columns=columns)
    result_meta = pd.DataFrame({c: pd.Series([], dtype=float) for c in numeric}, index=pd.Index([], dtype=columns.dtype))
    return zip_partitions(finish, [summaries.repartition(npartitions=1)], meta=result_meta, name=name, keep_index=True)


def memory_usage(collection, index, deep):
    """Bytes per column (frames, with "Index" first when `index`) or in all (Series), summed
    over the partitions."""
    from .core import Series
    is_series = isinstance(collection, Series)

    def usage(part):
        used = part.memory_usage(index=index, deep=deep)
        return pd.Series([used] if is_series else used.to_numpy(), dtype="int64", index=[0] if is_series else used.index)
    per_partition = zip_partitions(usage, [collection], meta=pd.Series([], dtype="int64"), name="memory-usage-chunk")
    if is_series:
        return per_partition.sum()
    labels = list(collection._meta.memory_usage(index=index, deep=deep).index)

    def finish(part):
        return part.groupby(level=0, sort=False).sum().reindex(labels)
    gathered = per_partition._from_frame(per_partition.to_frame().repartition(npartitions=1))
    return zip_partitions(finish, [gathered],
                          meta=pd.Series([], dtype="int64", index=pd.Index([], dtype=object)), name="memory-usage",
                          keep_index=True)


def mode(series, dropna, split_every):
    """The most frequent values, sorted, numbered from 0 (pandas' Series.mode)."""
    counts = series.value_counts(dropna=dropna)
    name = series.name

    def finish(vc):
        if not len(vc):
            return pd.Series([], dtype=series.dtype, name=name)
        values = vc.index[vc.to_numpy() == vc.max()]
        return pd.Series(values, name=name).sort_values(ignore_index=True)
    meta = pd.Series([], dtype=series.dtype, name=name)
    return zip_partitions(finish, [counts], meta=meta, name="mode")
