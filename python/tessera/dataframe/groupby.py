"""``df.groupby(...)``: aggregations, ``agg`` (dicts, lists, named, custom ``Aggregation``s)
and ``apply`` over groups, with results shaped as pandas shapes them: one key becomes the index,
several keys a MultiIndex, several functions per column MultiIndex columns; ``as_index=False``
keeps the keys as columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._convert import PANDAS_MAJOR, pandas_to_table, table_to_pandas
from .core import DataFrame, Series, _reject
from .partition_functions import _python_function
from .shape import Shape, ShapedFrame, ShapedSeries, decode_objects, encode_frame

_AGGREGATIONS = ("sum", "mean", "count", "min", "max", "first", "last", "nunique")

# Keywords Dask's group-by reductions take. split_out and split_every reach the engine;
# shuffle_method picks how partial aggregates move, which never changes the result (the engine
# chooses its own way).
_REDUCTION_OPTIONS = ("split_out", "split_every", "shuffle_method")


class Aggregation:
    """A custom group-by aggregation, as Dask's: ``chunk`` runs on each partition's pandas
    SeriesGroupBy (returning a Series or a tuple of them, indexed by group), ``agg`` on the
    chunks of every partition grouped again (one SeriesGroupBy per chunk output), and the optional
    ``finalize`` on agg's outputs."""

    def __init__(self, name, chunk, agg, finalize=None):
        self.chunk, self.agg, self.finalize = chunk, agg, finalize
        self.__name__ = name


def _grouped_reduction(name, ddof=False):
    """A GroupBy / SeriesGroupBy reduction method taking Dask's keywords."""
    if ddof:
        def method(self, ddof=1, **kwargs):
            return self._reduce(name, kwargs, ddof)
    else:
        def method(self, **kwargs):
            return self._reduce(name, kwargs)
    method.__name__ = name
    return method


class GroupBy:
    """df.groupby(...): aggregations return lazy frames shaped as pandas' results."""

    def __init__(self, frame, keys, key_names, options, as_index=True, columns=None, series_key=None):
        # frame: the frame grouped, its key columns included; keys: those columns; key_names: the
        # index level names pandas gives them; columns: the selection (None = every other column);
        # series_key: (frame without the key, Series) when one Series groups, which the engine
        # groups by directly, naming the result's index after it
        self._frame, self._keys, self._key_names = frame, list(keys), list(key_names)
        self._options, self._as_index, self._columns = dict(options), as_index, columns
        self._series_key = series_key

    # -- the engine group-by -----------------------------------------------------------------
    def _engine(self, split_out=None, split_every=None, by_columns=False):
        """The engine GroupBy with Dask's reduction options; `by_columns`: grouped by the key
        columns of self._frame even when a Series groups."""
        options = dict(self._options)
        if split_out is not None:
            options["split_out"] = int(split_out)
        if split_every is not None:
            options["split_every"] = int(split_every)
        arguments = (options["sort"], options["dropna"], options["split_out"], options["split_every"])
        if self._series_key is not None and not by_columns:
            base, series = self._series_key
            g = base._d.groupby_series(series._s, *arguments)
        else:
            g = self._frame._d.groupby_columns(self._keys, *arguments)
        return g if self._columns is None else g.select(self._columns)

    def _index_named(self):
        """Whether the engine's result of one key already has pandas' index name."""
        return self._series_key is not None or self._keys[0] == self._key_names[0]

    def _shaped(self, d):
        """A frame of aggregates from _engine() as pandas shapes it."""
        if len(self._keys) == 1 and self._index_named():
            result = DataFrame(d)
            return result if self._as_index else result.reset_index()
        flat = d.reset_index() if len(self._keys) == 1 else d
        if not self._as_index:
            return DataFrame(flat)
        return ShapedFrame(flat, Shape(self._keys, self._key_names))

    def _reduce(self, name, kwargs, ddof=None):
        options = {k: kwargs.pop(k) for k in _REDUCTION_OPTIONS if k in kwargs}
        numeric_only = kwargs.pop("numeric_only", False)
        _reject(kwargs, name)
        group = self
        if numeric_only:
            group = self[[c for c in self._value_columns() if self._frame.dtypes[c].kind in "biufcmM"]]
        g = group._engine(options.get("split_out"), options.get("split_every"))
        d = g.aggregate(name) if ddof is None else g.aggregate(name, ddof)
        return group._shaped(d)

    def _value_columns(self):
        if self._columns is not None:
            return list(self._columns)
        # a grouping Series named as a column stands for that column, which is no value (as in pandas)
        return [c for c in self._frame.columns if c not in self._keys and c not in self._key_names]

    # -- selection ---------------------------------------------------------------------------
    def __getitem__(self, key):
        if isinstance(key, (list, tuple)):
            return GroupBy(self._frame, self._keys, self._key_names, self._options, self._as_index,
                           [str(k) for k in key], self._series_key)
        key = str(key)
        if key in self._keys:
            # a key column as values (df.groupby("k").k.count()): group a copy of it
            copy = f"{key}\x1fvalue"
            frame = self._frame.assign(**{copy: self._frame[key]})
            group = GroupBy(frame, self._keys, self._key_names, self._options, self._as_index)
            return SeriesGroupBy(group, copy, key)
        if key not in self._frame.columns:
            raise KeyError(f"column {key!r} is not in the frame; its columns are {list(self._frame.columns)}")
        return SeriesGroupBy(self, key, key)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._frame.columns:
            return self[name]
        raise AttributeError(f"'GroupBy' object has no attribute {name!r}")

    # -- reductions --------------------------------------------------------------------------
    sum, mean, count, min, max, first, last, nunique = (_grouped_reduction(n) for n in _AGGREGATIONS)
    var, std = _grouped_reduction("var", ddof=True), _grouped_reduction("std", ddof=True)

    def median(self, split_out=1, split_every=None, shuffle_method=None, numeric_only=False):
        """The exact median of every value column in every group (as Dask's shuffle-based median)."""
        columns = self._value_columns()
        if numeric_only:
            columns = [c for c in columns if self._frame.dtypes[c].kind in "biuf"]
        else:
            text = [c for c in columns if self._frame.dtypes[c].kind not in "biufmM"]
            if text:
                raise TypeError(f"median: column(s) {text} are not numeric; select numeric columns or pass "
                                f"numeric_only=True")
        return self._shaped(_group_median(self, columns))

    def size(self, **kwargs):
        options = {k: kwargs.pop(k) for k in _REDUCTION_OPTIONS if k in kwargs}
        _reject(kwargs, "size")
        g = self._engine(options.get("split_out"), options.get("split_every"))
        if len(self._keys) == 1 and self._index_named():
            series = Series(g.size()).rename(None)  # unnamed, as pandas
            return series if self._as_index else series.rename("size").to_frame().reset_index()
        # the keys as columns beside the sizes
        frame = g.agg_named([("size", self._keys[0], "size")])
        if len(self._keys) == 1:
            frame = frame.reset_index()
        if not self._as_index:
            return ShapedFrame(frame, Shape(columns=dict(zip(self._keys, self._key_names))))
        return ShapedSeries(frame, "size", None, Shape(self._keys, self._key_names))

    def agg(self, arg=None, split_out=None, split_every=None, shuffle_method=None, **named):
        """Functions by name, lists of them (MultiIndex columns), {column: function(s)}, named
        aggregations (``out=("column", "function")``) or custom Aggregations."""
        if named:
            spec = [(str(out), str(col), fn) for out, (col, fn) in named.items()]
            if any(isinstance(fn, Aggregation) for _, _, fn in spec):
                raise NotImplementedError("named aggregations take function names; pass an Aggregation in a dict")
            g = self._engine(split_out, split_every)
            return self._shaped(g.agg_named([(out, col, str(fn)) for out, col, fn in spec]))
        if isinstance(arg, str):
            return self._reduce(arg, {"split_out": split_out, "split_every": split_every})
        if isinstance(arg, Aggregation):
            arg = {c: arg for c in self._value_columns()}
        elif isinstance(arg, (list, tuple)):
            arg = {c: list(arg) for c in self._value_columns()}
        if not isinstance(arg, dict):
            raise TypeError("agg takes a function name, a list of them, {column: function(s)}, named "
                            "aggregations or an Aggregation")
        multi_columns = any(isinstance(v, (list, tuple)) for v in arg.values())
        plan = [(str(c), f) for c, fns in arg.items() for f in (fns if isinstance(fns, (list, tuple)) else [fns])]
        for column, _ in plan:
            if column not in self._frame.columns or column in self._keys:
                raise KeyError(f"agg: column {column!r} is not a value column of the frame; "
                               f"its value columns are {self._value_columns()}")
        custom = [f for _, f in plan if isinstance(f, Aggregation)]
        if custom:
            if len(custom) != len(plan):
                raise NotImplementedError("agg mixes custom Aggregations with named functions; run them in "
                                          "separate agg calls")
            return self._custom(plan, multi_columns)
        outputs = {}
        for column, function in plan:
            if not isinstance(function, str):
                raise TypeError(f"agg: function {function!r} for column {column!r} is not a name such as "
                                f"'mean'; use an Aggregation for a custom one")
            label = (column, function) if multi_columns else column
            outputs[f"{column}\x1f{function}" if multi_columns else column] = (column, function, label)
        g = self._engine(split_out, split_every, by_columns=multi_columns)
        d = g.agg_named([(out, col, fn) for out, (col, fn, _) in outputs.items()])
        return self._with_labels(d, {out: label for out, (_, _, label) in outputs.items()}, multi_columns)

    aggregate = agg

    def _with_labels(self, d, labels, multi_columns):
        """Aggregates `d` (engine columns named as `labels`' keys) with pandas' column labels."""
        if not multi_columns:
            return self._shaped(d)
        if len(self._keys) == 1 and self._keys[0] == self._key_names[0] and self._as_index:
            return ShapedFrame(d, Shape(columns=labels))
        flat = d.reset_index() if len(self._keys) == 1 else d
        if self._as_index:
            return ShapedFrame(flat, Shape(self._keys, self._key_names, labels))
        key_labels = {k: (n, "") for k, n in zip(self._keys, self._key_names)}
        return ShapedFrame(flat, Shape((), None, {**key_labels, **labels}))

    def _custom(self, plan, multi_columns):
        """Custom Aggregations as Dask runs them: chunk per partition, then agg and finalize once
        over every partition's chunks (gathered into one partition)."""
        keys, options = self._keys, self._options
        columns = sorted({c for c, _ in plan}, key=[c for c, _ in plan].index)
        frame = self._frame[keys + columns]

        def chunk(pdf):
            grouped = pdf.groupby(keys, sort=False, dropna=options["dropna"])
            parts = {}
            for n, (column, aggregation) in enumerate(plan):
                out = aggregation.chunk(grouped[column])
                for i, part in enumerate(out if isinstance(out, tuple) else (out,)):
                    parts[f"{n}\x1f{i}"] = part
            result = pd.DataFrame(parts)
            result.index.names = keys
            return encode_frame(result.reset_index(), list(parts))

        def combine(pdf):
            pdf = pdf.set_index(keys)
            levels = list(range(len(keys)))
            out = {}
            for n, (column, aggregation) in enumerate(plan):
                names = sorted((c for c in pdf.columns if c.startswith(f"{n}\x1f")), key=lambda c: int(c.split("\x1f")[1]))
                grouped = [pd.Series(decode_objects(pdf[c].tolist()), index=pdf.index).infer_objects()
                           .groupby(level=levels, sort=options["sort"]) for c in names]
                value = aggregation.agg(*grouped)
                if aggregation.finalize is not None:
                    value = aggregation.finalize(*value) if isinstance(value, tuple) else aggregation.finalize(value)
                out[f"{column}\x1f{aggregation.__name__}" if multi_columns else column] = value
            result = pd.DataFrame(out)
            result.index.names = keys
            return result.reset_index()

        # meta from running both steps on the first rows (real data)
        sample = frame.head(100)
        chunk_meta = chunk(sample).iloc[:0]
        result_meta = combine(chunk(sample)).iloc[:0]
        objects = [c for c in result_meta.columns if c not in keys and result_meta[c].dtype == object]

        def combine_table(table):
            return pandas_to_table(encode_frame(combine(table_to_pandas(table, writable=True)), objects),
                                   keep_index=False)

        partials = frame._d.map_partitions(lambda t: pandas_to_table(chunk(table_to_pandas(t, writable=True)),
                                                                      keep_index=False),
                                           pandas_to_table(chunk_meta, keep_index=False), "aggregation-chunk")
        d = partials.repartition(1).map_partitions(combine_table,
                                                   pandas_to_table(encode_frame(result_meta, objects), keep_index=False),
                                                   "aggregation-agg")
        labels = {(f"{c}\x1f{a.__name__}" if multi_columns else c): ((c, a.__name__) if multi_columns else c)
                  for c, a in plan}
        if self._as_index:
            return ShapedFrame(d, Shape(keys, self._key_names, labels, objects))
        key_labels = {k: ((n, "") if multi_columns else n) for k, n in zip(keys, self._key_names)}
        return ShapedFrame(d, Shape((), None, {**key_labels, **labels}, objects))

    # -- whole groups ------------------------------------------------------------------------
    def apply(self, func, *args, meta=None, **kwargs):
        """func on every whole group (after a shuffle by key). As pandas 3 does, the grouping
        columns are left out of the groups the function sees (pandas 2 passes them). A function
        returning anything but a DataFrame or Series gives a Series with one value per group."""
        return _apply_to_groups(self, self._frame, self._columns, func, args, kwargs, meta, series_column=None)


def _apply_to_groups(group, frame, columns, func, args, kwargs, meta, series_column):
    """groupby().apply and groupby()[column].apply: whole groups through `func`."""
    keys, names = group._keys, group._key_names
    drop_keys = PANDAS_MAJOR >= 3 and series_column is None

    # key columns tessera added (a grouping Series, the index) are never the user's
    added = [k for k in keys if k not in names]

    def user_view(pdf):
        if series_column is not None:
            return pdf[series_column]
        pdf = pdf.drop(columns=keys if drop_keys else added)
        return pdf if columns is None else pdf[columns]

    # Without meta, the function's result on the first group of the first rows describes it; a
    # Series meta may mean one value per group or a Series per group, which the same run tells.
    from .partition_functions import _meta_to_pandas
    meta_pd = None if meta is None else _meta_to_pandas(meta)
    sample_result = None
    if meta_pd is None or isinstance(meta_pd, pd.Series):
        head = frame.head(100)
        first = head.groupby(keys, sort=False).ngroup() == 0 if len(head) else head.index == head.index
        try:
            sample_result = func(user_view(head[first]), *args, **kwargs)
        except Exception as error:
            if meta_pd is not None:
                sample_result = None  # meta says a Series: one value per group unless shown otherwise
            else:
                error.add_note(f"while inferring meta by running {getattr(func, '__name__', func)!r} on the "
                               f"first group; pass meta= to skip inference")
                raise
    if meta_pd is None:
        per_group_value = not isinstance(sample_result, (pd.DataFrame, pd.Series))
    else:
        per_group_value = isinstance(meta_pd, pd.Series) and not isinstance(sample_result, (pd.DataFrame, pd.Series))

    if not per_group_value:
        whole = frame._d if columns is None else frame._d.select(keys + [c for c in columns if c not in keys])

        def on_group(pdf, *a, **k):
            return func(user_view(pdf), *a, **k)
        sample_frame = frame._meta if meta is None else None
        function, engine_meta, spec = _python_function(on_group, args, kwargs, meta, sample_frame, True,
                                                        keep_index=True)
        g = whole.groupby_columns(keys, group._options["sort"], group._options["dropna"], 1,
                                  group._options["split_every"])
        return spec.wrap(g.apply(function, engine_meta))

    # One value per group: a Series indexed by the keys (a MultiIndex for several).
    if meta_pd is not None:
        name, dtype = meta_pd.name, meta_pd.dtype
    else:
        name, dtype = None, pd.Series([sample_result]).dtype
    value_column = "\x1fvalue"
    objects = [value_column] if dtype == object else []

    def per_group(pdf):
        result = func(user_view(pdf), *args, **kwargs)
        if isinstance(result, (pd.DataFrame, pd.Series)):
            raise TypeError(f"the function returned a {type(result).__name__} for one group and a single value "
                            f"for others (or meta says one value per group); return one kind")
        row = pdf[keys].iloc[:1].reset_index(drop=True)
        row[value_column] = pd.Series([result], dtype=object if objects else dtype)
        return row

    meta_row = frame._meta[keys].iloc[:0].reset_index(drop=True)
    meta_row[value_column] = pd.Series([], dtype=object if objects else dtype)

    def function(table):
        return pandas_to_table(encode_frame(per_group(table_to_pandas(table, writable=True)), objects),
                               keep_index=False)

    g = frame._d.groupby_columns(keys, group._options["sort"], group._options["dropna"], 1,
                                 group._options["split_every"])
    d = g.apply(function, pandas_to_table(encode_frame(meta_row, objects), keep_index=False))
    return ShapedSeries(d, value_column, name, Shape(keys, names, None, objects, sort_index=group._options["sort"]))


class SeriesGroupBy:
    """df.groupby(...)[column]: aggregations return lazy Series shaped as pandas' results."""

    def __init__(self, group, column, name):
        self._group, self._column, self._name = group, column, name

    def _engine(self, split_out=None, split_every=None):
        return self._group._engine(split_out, split_every)

    def _series(self, d):
        """The engine frame of one aggregated column as the pandas-shaped Series."""
        group = self._group
        if len(group._keys) == 1 and group._index_named():
            series = Series(d.column(self._column)).rename(self._name)
            return series if group._as_index else series.to_frame().reset_index()
        if len(group._keys) == 1:
            d = d.reset_index()
        if not group._as_index:
            return DataFrame(d).rename(columns={self._column: self._name}) if self._column != self._name \
                else DataFrame(d)
        return ShapedSeries(d, self._column, self._name, Shape(group._keys, group._key_names))

    def _reduce(self, name, kwargs, ddof=None):
        options = {k: kwargs.pop(k) for k in _REDUCTION_OPTIONS if k in kwargs}
        _reject(kwargs, name)
        g = self._engine(options.get("split_out"), options.get("split_every")).select([self._column])
        d = g.aggregate(name) if ddof is None else g.aggregate(name, ddof)
        return self._series(d)

    sum, mean, count, min, max, first, last, nunique = (_grouped_reduction(n) for n in _AGGREGATIONS)
    var, std = _grouped_reduction("var", ddof=True), _grouped_reduction("std", ddof=True)

    def size(self, **kwargs):
        result = self._group.size(**kwargs)
        return result.rename(self._name) if isinstance(result, Series) else result

    def agg(self, functions, split_out=None, split_every=None, shuffle_method=None):
        if isinstance(functions, str):
            return self._reduce(functions, {"split_out": split_out, "split_every": split_every})
        if isinstance(functions, Aggregation):
            frame = self._group[[self._column]].agg({self._column: functions}, split_out, split_every)
            return frame[self._name] if self._group._as_index else frame
        functions = list(functions)
        frame = self._group[[self._column]].agg({self._column: functions}, split_out, split_every)
        # pandas: one column per function, named after it
        return frame[self._column] if self._group._as_index else frame

    aggregate = agg

    def apply(self, func, *args, meta=None, **kwargs):
        """func on every group's Series (after a shuffle by key)."""
        group = self._group
        return _apply_to_groups(group, group._frame, None, func, args, kwargs, meta, series_column=self._column)

    def median(self, split_out=1, split_every=None, shuffle_method=None, numeric_only=False):
        """The exact median of every group (as Dask's shuffle-based median)."""
        return self._series(_group_median(self._group, [self._column]))

    def transform(self, func, *args, meta=None, **kwargs):
        """Every row gets its group's value: reductions by name ("mean", "sum", ...) keep the
        rows' partitions and order; other functions run on whole groups after a shuffle."""
        if meta is not None:
            raise NotImplementedError("transform(meta=...) is not supported; the result's meta comes from pandas")
        return _transform(self, func, args, kwargs)

    def cumsum(self, axis=0):
        return self._cumulative("cumsum", axis)

    def cumprod(self, axis=0):
        return self._cumulative("cumprod", axis)

    def cummax(self, axis=0):
        return self._cumulative("cummax", axis)

    def cummin(self, axis=0):
        return self._cumulative("cummin", axis)

    def cumcount(self, ascending=True):
        if not ascending:
            raise NotImplementedError("cumcount(ascending=False) is not supported")
        return _group_cumulative(self, "cumcount")

    def _cumulative(self, name, axis):
        if axis not in (0, "index"):
            raise NotImplementedError(f"{name}(axis={axis!r}): only axis=0 is supported")
        return _group_cumulative(self, name)


def groupby(frame, by, sort=True, dropna=True, split_out=1, split_every=8, as_index=True, group_keys=True,
            shuffle_method=None):
    """The GroupBy of `frame` by column names, Series of it, or the index's name (Dask's
    shuffle_method picks how data moves and never changes the result: the engine picks its own)."""
    options = {"sort": bool(sort), "dropna": bool(dropna), "split_out": int(split_out or 1),
               "split_every": int(split_every or 8)}
    by = list(by) if isinstance(by, (list, tuple)) else [by]
    index_name = frame._d.index_name if frame._d.index_dtype is not None else None
    original, keys, names, series = frame, [], [], []
    for position, key in enumerate(by):
        if not isinstance(key, Series) and str(key) in frame._d.columns:
            keys.append(str(key))
            names.append(key)
            continue
        if isinstance(key, Series):
            name = key.name
        elif index_name is not None and str(key) == index_name:
            key, name = original.index, key  # grouping by the index's name, as pandas allows
        else:
            raise KeyError(f"groupby: {key!r} is neither a column nor the index's name; the columns are "
                           f"{list(frame._d.columns)}")
        column = f"\x1fkey{position}"
        frame = frame.assign(**{column: key})
        keys.append(column)
        names.append(name)
        series.append(key)
    series_key = (original, series[0]) if len(by) == 1 and series else None
    return GroupBy(frame, keys, names, options, as_index=bool(as_index), series_key=series_key)


# ---------------------------------------------------------------------------------------------
# Row-wise group operations (transform, cumulative ops) and the exact median, as Dask gives them

_VALUE = "\x1fvalue"
_PART = "\x1fpartition"
_GROUP_CUMULATIVE = {"cumsum": "sum", "cumprod": "prod", "cummax": "max", "cummin": "min", "cumcount": "size"}


def _group_median(group, columns):
    """The median of `columns` in every group, exact: every group's rows meet in one partition
    (as Dask's shuffle-based median gathers them), then pandas computes it. Returns the engine
    frame of keys and values the group-by reductions produce."""
    from .partition_functions import zip_partitions
    keys, options = group._keys, group._options
    index_name = group._key_names[0] if group._series_key is not None else keys[0]

    def run(part):
        result = part.groupby(keys, sort=options["sort"], dropna=options["dropna"])[columns].median()
        if len(keys) > 1:
            return result.reset_index()
        return result.rename_axis(index_name)
    frame = group._frame[keys + columns].repartition(npartitions=1)
    return zip_partitions(run, [frame], name="median")._d


def _per_row(series_group, values, name):
    """The group value of `values` (a frame of key columns and _VALUE) on every row of the
    grouped frame, in its partitions and order, with its index (pandas' transform)."""
    from .partition_functions import zip_partitions
    group, column = series_group._group, series_group._column
    keys = group._keys
    frame = group._frame[keys + [column]]

    def run(part, table):
        merged = part[keys].merge(table, on=keys, how="left")[_VALUE]
        return pd.Series(merged.to_numpy(), index=part.index, name=series_group._name).astype(meta.dtype)
    value_dtype = values._meta[_VALUE].dtype
    # a row whose key has no group (a missing key) gets no value: integers hold it as pandas' Int64,
    # which reaches pandas as int64 when no row misses one and as float64 otherwise, as pandas gives it
    dtype = "Int64" if value_dtype.kind in "iu" else value_dtype
    meta = pd.Series([], dtype=dtype, name=series_group._name, index=frame._meta.index)
    return zip_partitions(run, [frame, values], meta=meta, broadcast=(1,), name=name, keep_divisions=True,
                          same_rows=True)


def _group_values(series_group, function):
    """A frame of the key columns and _VALUE: `function`'s value for every group."""
    group = series_group._group
    if function == "median":
        d = _group_median(group, [series_group._column])
    elif function == "size":
        d = group._engine(by_columns=True).agg_named([(series_group._column, group._keys[0], "size")])
    else:
        g = group._engine(by_columns=True).select([series_group._column])
        d = g.aggregate(function, 1) if function in ("var", "std") else g.aggregate(function)
    frame = DataFrame(d)
    if len(group._keys) == 1:
        frame = frame.reset_index()
        frame = frame.rename(columns={frame.columns[0]: group._keys[0]})
    return frame.rename(columns={series_group._column: _VALUE})


def _transform(series_group, func, args, kwargs):
    """groupby(...)[column].transform(func): reductions by name from the group-by reductions,
    put on every row; any other function on whole groups after a shuffle (rows then come
    grouped, keeping their index labels, as in Dask)."""
    if isinstance(func, str) and func in _AGGREGATIONS + ("var", "std", "median", "size") and not args and not kwargs:
        return _per_row(series_group, _group_values(series_group, func), "transform")
    group, column = series_group._group, series_group._column
    keys, dropna = group._keys, group._options["dropna"]

    def on_groups(pdf, *a, **k):
        return pdf.groupby(keys, dropna=dropna)[column].transform(func, *a, **k).rename(series_group._name)
    from .partition_functions import _python_function
    frame = group._frame[keys + [column]]
    sample = frame.head(100)
    function, engine_meta, spec = _python_function(on_groups, args, kwargs, None, sample, True, keep_index=True)
    g = frame._d.groupby_columns(keys, group._options["sort"], dropna, 1, group._options["split_every"])
    return spec.wrap(g.apply(function, engine_meta))


def _group_cumulative(series_group, name):
    """groupby(...)[column].cumsum() and friends, as Dask computes them: each partition's running
    values continue from every group's aggregate over the partitions before it; rows keep their
    partitions, order and index."""
    from .partition_functions import zip_partitions
    group, column = series_group._group, series_group._column
    keys, dropna = group._keys, group._options["dropna"]
    reduction = _GROUP_CUMULATIVE[name]
    frame = group._frame[keys + [column]]

    def summarise(i, part):
        grouped = part.groupby(keys, dropna=dropna, sort=False)[column]
        values = grouped.size() if reduction == "size" else grouped.agg(reduction)
        return values.rename(_VALUE).reset_index().assign(**{_PART: i})
    summaries = zip_partitions(summarise, [frame], name=f"{name}-chunk", keep_index=False,
                               with_partition=True).repartition(npartitions=1)

    result_name = None if name == "cumcount" else series_group._name  # pandas' names

    def finish(i, part, totals):
        grouped = part.groupby(keys, dropna=dropna, sort=False)[column]
        within = getattr(grouped, name)()
        before = totals[totals[_PART] < i]
        if not len(before) or not len(part):
            return within.rename(result_name)
        carried = before.groupby(keys, dropna=dropna, sort=False)[_VALUE]
        carry = (carried.sum() if reduction == "size" else carried.agg(reduction)).rename(_VALUE).reset_index()
        carry = part[keys].merge(carry, on=keys, how="left")[_VALUE].to_numpy()
        if reduction in ("sum", "size"):
            result = within + np.nan_to_num(carry, nan=0)
        elif reduction == "prod":
            result = within * np.where(np.isnan(carry), 1, carry)
        else:
            extreme = np.fmax if reduction == "max" else np.fmin
            result = within.where(within.isna(), extreme(within, carry))
        return result.astype(within.dtype).rename(result_name)
    meta = getattr(frame._meta.groupby(keys)[column], name)().rename(result_name)
    return zip_partitions(finish, [frame, summaries], meta=meta, broadcast=(1,), name=name, with_partition=True,
                          keep_divisions=True, same_rows=True)
