"""``melt``: a frame from wide to long form, rows in pandas' order (every row of the first value
column, then of the next), numbered from 0 as pandas numbers them."""

from __future__ import annotations

from .core import _as_list


def melt(frame, id_vars=None, value_vars=None, var_name=None, value_name="value", col_level=None):
    from .multi import concat
    from .partition_functions import zip_partitions
    if col_level is not None:
        raise NotImplementedError("melt(col_level=...): MultiIndex columns are not supported")
    ids = _as_list(id_vars)
    columns = list(frame.columns)
    missing = [c for c in ids + _as_list(value_vars) if c not in columns]
    if missing:
        raise KeyError(f"melt: column(s) {missing} are not in the frame; its columns are {columns}")
    values = _as_list(value_vars) if value_vars is not None else [c for c in columns if c not in ids]
    if not values:
        raise ValueError("melt: no value columns; pass value_vars= or leave columns out of id_vars")

    # the value column's dtype is pandas' for all value columns together
    meta = frame._meta.melt(id_vars=ids, value_vars=values, var_name=var_name, value_name=value_name)

    def melted(column):
        def run(part):
            piece = part[ids + [column]].melt(id_vars=ids, value_vars=[column], var_name=var_name,
                                              value_name=value_name)
            return piece.astype(meta.dtypes.to_dict())
        return zip_partitions(run, [frame], meta=meta, name="melt", keep_index=False)
    # one piece per value column, in order: pandas' order, and (no index) pandas' numbering
    pieces = [melted(column) for column in values]
    return pieces[0] if len(pieces) == 1 else concat(pieces)

