"""DataFrame, Series, Index and Scalar: lazy collections over the engine's expression DAG, named
and behaving as Dask's (and, for results, pandas'). Nothing runs until ``compute()`` (a pandas
object) or ``persist()`` (partitions kept in the scheduler; a new collection reads them)."""

from __future__ import annotations

import functools
import html
import operator
import os

import numpy as np
import pandas as pd

from .. import _core, _scheduler
from ..base import Collection, DaskCollection, parse_bytes, visualize
from ..base import compute as _compute_together
from ..base import persist as _persist_together
from .._convert import (scalar_to_python, table_to_arrow, table_to_pandas, table_to_series,
                        to_engine_scalar)

_NUMPY_NAMES = {"date": "object"}  # timestamps and durations come as NumPy names with their unit


def _pandas_dtype(name):
    if name == "string":
        return pd.Series(["a"]).dtype
    if name == "category":
        return pd.CategoricalDtype()
    return np.dtype(_NUMPY_NAMES.get(name, name))


def _engine_dtype(dtype):
    """A dtype as the engine spells it ('int64', 'string', 'category', 'datetime64[us]'; NumPy's
    'M8[s]' / '<m8[ms]' spellings pass through, the engine reads them)."""
    if dtype is str or dtype == "str" or isinstance(dtype, pd.StringDtype) or dtype == "string":
        return "string"
    if dtype is object or dtype == "object":
        return "string"
    if isinstance(dtype, pd.CategoricalDtype) or dtype == "category":
        return "category"
    if isinstance(dtype, str):
        return dtype
    return str(np.dtype(dtype))


def _plan_nodes(engines):
    """(key, label, dependency keys) of the optimized plans of engine objects, read from their
    explain() text (an indented tree; "(shared) name" repeats a step printed before)."""
    for number, engine in enumerate(engines):
        stack, by_name, nodes = [], {}, {}
        for line_number, line in enumerate(engine.explain().splitlines()):
            if not line.strip() or line.startswith("tasks:"):
                continue
            depth = (len(line) - len(line.lstrip(" "))) // 2
            label = line.strip()
            while stack and stack[-1][0] >= depth:
                stack.pop()
            if label.startswith("(shared) "):
                name = label[len("(shared) "):]
                key = next((k for n, k in reversed(list(by_name.items())) if n.startswith(name)), None)
            else:
                key = f"{id(engine)}-{number}-{line_number}"
                nodes[key] = [label, []]
                by_name[label] = key
            if key is None:
                continue
            if stack:
                nodes[stack[-1][1]][1].append(key)
            stack.append((depth, key))
        for key, (label, dependencies) in nodes.items():
            yield key, label, dependencies


def _divisions(raw, npartitions):
    if not raw:
        return (None,) * (npartitions + 1)
    return tuple(scalar_to_python(d) for d in raw)


def _constant(value):
    if isinstance(value, (Series, Index)):
        return value._s
    return to_engine_scalar(value)


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple, pd.Index)):
        return [str(v) for v in value]
    return [str(value)]


def _reject(kwargs, what):
    """Keyword arguments pandas or Dask take but tessera does not: an error, never ignored."""
    if kwargs:
        raise TypeError(f"{what}() got unsupported keyword arguments: {sorted(kwargs)}")


def _only_axis0(axis, what):
    if axis not in (None, 0, "index"):
        raise NotImplementedError(f"{what}(axis={axis!r}): only column-wise reductions (axis=0) are supported")


def _reduction(name, result, ddof=False):
    """A reduction method calling the engine's `name` and wrapping what it returns in `result`
    (a Series of per-column values for frames, a Scalar for Series)."""
    if ddof:
        def method(self, axis=None, *, ddof=1, split_every=8, numeric_only=None):
            _only_axis0(axis, name)
            return result(getattr(self._d, name)(ddof, split_every))
    else:
        def method(self, axis=None, *, split_every=8, numeric_only=None):
            _only_axis0(axis, name)
            return result(getattr(self._d, name)(split_every))
    method.__name__ = name
    return method




def _end_rows(engine, n, last=False):
    """The first (last) n rows of an engine frame or Series, as a table."""
    cluster = _scheduler.cluster()
    if cluster is None and not last:
        return engine.head(n, _scheduler.current())
    frame = engine if isinstance(engine, _core.DataFrame) else engine.to_frame()
    if cluster is None:
        return frame.tail(n, _scheduler.current())
    from .._dask_graph import end_rows
    return end_rows(cluster.dask_client, frame, n, last)


def _partition_length(partition):
    return pd.Series([len(partition)], dtype="int64")


def _cluster_length(collection):
    """len() on a cluster: each partition's length computed where it is, summed."""
    lengths = collection.map_partitions(_partition_length, meta=pd.Series([], dtype="int64"))
    return int(_compute_together(lengths.sum())[0])


_SAMPLES_PER_PARTITION = 1000  # as the engine's set_index samples


def _key_sample(partition, column):
    """A partition's key extremes and an evenly spaced sample of its keys (the engine's
    set_index sampler, in pandas): kind 0 = min, 1 = max, 2 = sample."""
    values = partition[column]
    present = values.dropna()
    n = len(present)
    picks = present.iloc[[i * n // min(n, _SAMPLES_PER_PARTITION) for i in range(min(n, _SAMPLES_PER_PARTITION))]]
    ordered = bool(values.is_monotonic_increasing) and n == len(values)
    sample = pd.concat([present.iloc[:0], pd.Series([present.min(), present.max()], dtype=present.dtype), picks]
                       ) if n else present
    kinds = [0, 1] + [2] * len(picks) if n else []
    return pd.DataFrame({"value": sample.to_numpy(), "kind": np.array(kinds, dtype="int8"),
                         "sorted": np.full(len(kinds), ordered)})


def _sampled_divisions(frame, column, outputs):
    """set_index's divisions chosen as the engine chooses them, from a key sample computed
    where the partitions are: each partition's range when the keys are sorted across
    partitions, else quantiles of the pooled sample."""
    meta = pd.DataFrame({"value": frame._meta[column].to_numpy(), "kind": np.array([], dtype="int8"),
                         "sorted": np.array([], dtype=bool)})
    sample = _compute_together(frame.map_partitions(_key_sample, column, meta=meta))[0]
    lows, highs = sample.value[sample.kind == 0].tolist(), sample.value[sample.kind == 1].tolist()
    if sample.sorted.all() and all(h < lo for h, lo in zip(highs, lows[1:])) and lows:
        return lows + highs[-1:]
    values = sample.value.dropna().sort_values(ignore_index=True)
    m = len(values)
    if m == 0:
        return None
    return [values.iloc[i * m // outputs] for i in range(outputs)] + [values.iloc[m - 1]]


def _first_table(convert, tables):
    return convert(tables[0])


def _index_of_table(table, name):
    return pd.Index(table_to_series(table, name).values, name=name)


class _Collection(DaskCollection, Collection):
    """What DataFrame, Series and Index share: partitions, divisions, compute and persist."""

    _d = None  # the engine object
    # (root engine frame, function): how pandas computes this collection's partitions from the
    # root's partitions, when it is known (columns of a frame, map_partitions and apply results,
    # arithmetic on them); lets results the engine cannot line up combine partition by partition
    _recipe = None
    # on a Dask cluster, after persist: the futures of the partitions (see tessera._dask_graph)
    _held_partitions = ()

    # -- the collection protocol of tessera.base ---------------------------------------------
    def _graph_leaves(self):
        return [self._d]

    _compute_graph_leaves = staticmethod(_core.compute_all)

    def _from_leaf_values(self, tables):
        return self._to_pandas(tables[0])

    def _to_pandas(self, table):
        return self._converter()(table)

    def _finisher(self):
        return functools.partial(_first_table, self._converter())

    def _cluster_persisted(self, keys, holders):
        """This collection over its partitions persisted on a cluster under `keys`; it holds
        their futures (`holders`) while it lives."""
        (leaf,) = self._graph_leaves()
        persisted = self._rewrap(_core.from_persisted(leaf, keys))
        object.__setattr__(persisted, "_held_partitions", holders)
        return persisted

    def _rewrap(self, engine):
        """A collection of this kind over another engine object of the same shape."""
        return self._wrap(engine)

    @property
    def npartitions(self) -> int:
        return self._d.npartitions

    @property
    def divisions(self) -> tuple:
        return _divisions(self._d.divisions, self._d.npartitions)

    @property
    def known_divisions(self) -> bool:
        return self._d.known_divisions

    def compute(self, **kwargs):
        if _scheduler.cluster() is not None:
            return _compute_together(self)[0]
        return self._to_pandas(self._d.compute(_scheduler.current()))

    def persist(self, **kwargs):
        """Computes the partitions and keeps them in the scheduler (on a cluster: on the
        workers, held while the returned collection lives); the returned collection reads them."""
        if _scheduler.cluster() is not None:
            return _persist_together(self)[0]
        return self._wrap(self._d.persist(_scheduler.current()))

    def explain(self) -> str:
        """The optimized plan and the number of tasks it lowers to."""
        return self._d.explain()

    def visualize(self, filename="mydask", format="png", **kwargs):
        """Draws the optimized plan with graphviz (one node per step, labelled with its
        partitions) and writes it to ``filename.format``; returns the path."""
        return visualize(self, filename=filename, format=format)

    def _visual_nodes(self):
        return _plan_nodes(self._graph_leaves())

    # -- elementwise operations frames and Series share (the result has the caller's kind) ----
    def isnull(self):
        return self._wrap(self._d.isnull())

    isna = isnull

    def notnull(self):
        return self._wrap(self._d.notnull())

    notna = notnull

    def clip(self, lower=None, upper=None):
        return self._wrap(self._d.clip(to_engine_scalar(lower), to_engine_scalar(upper)))

    def abs(self):
        return self._wrap(self._d.abs())

    def round(self, decimals=0):
        return self._wrap(self._d.round(decimals))

    # -- operations that need other partitions' values (see windows.cumulative / shifted) -----
    def cumsum(self, axis=None, skipna=True):
        return self._cumulative("cumsum", axis, skipna)

    def cumprod(self, axis=None, skipna=True):
        return self._cumulative("cumprod", axis, skipna)

    def cummax(self, axis=None, skipna=True):
        return self._cumulative("cummax", axis, skipna)

    def cummin(self, axis=None, skipna=True):
        return self._cumulative("cummin", axis, skipna)

    def _cumulative(self, name, axis, skipna):
        _only_axis0(axis, name)
        from .windows import cumulative
        return cumulative(self, name, bool(skipna))

    def shift(self, periods=1, freq=None, axis=0, fill_value=None):
        if freq is not None:
            raise NotImplementedError("shift(freq=...) moves the index, which is not supported; shift rows instead")
        _only_axis0(axis, "shift")
        from .windows import shifted
        extra = {} if fill_value is None else {"fill_value": fill_value}
        return shifted(self, periods, "shift", lambda part: part.shift(periods, **extra))

    def diff(self, periods=1, axis=0):
        _only_axis0(axis, "diff")
        from .windows import shifted
        return shifted(self, periods, "diff", lambda part: part.diff(periods))

    def replace(self, to_replace=None, value=None, regex=False):
        """pandas' replace on every partition (values, lists, dicts, regex=)."""
        from .partition_functions import _map_partitions
        arguments = {"to_replace": to_replace, "regex": regex}
        if value is not None or not isinstance(to_replace, dict):
            arguments["value"] = value
        return _map_partitions(self, lambda part: part.replace(**arguments), (), {}, None, name="replace")

    def memory_usage(self, index=True, deep=False):
        """Bytes used by each column (a Series; "Index" first with index=True) or, for a
        Series, in all (a Scalar), summed over the partitions as Dask sums them."""
        from .statistics import memory_usage
        return memory_usage(self, bool(index), bool(deep))

    def __repr__(self):
        return repr(self._d)

    def __arrow_c_stream__(self, requested_schema=None):
        """The computed result as an Arrow stream over the engine's buffers (pyarrow, Polars
        and DuckDB read it without a copy)."""
        return table_to_arrow(self._frame_engine().compute(_scheduler.current())).__arrow_c_stream__(requested_schema)


class Scalar(DaskCollection, Collection):
    """A lazy single value: the result of a reduction, or arithmetic on such results
    (``df.x.sum() / df.x.count()``), computed together in one graph."""

    def _graph_leaves(self):
        return list(self._leaves)

    _compute_graph_leaves = staticmethod(_core.compute_all)

    def _from_leaf_values(self, tables):
        return self._finish([scalar_to_python(_core.scalar_of_table(t)) for t in tables])

    @classmethod
    def _persist_all(cls, objects):
        return list(objects)  # a reduction's value is small: computing it again is cheap

    def __init__(self, engine, leaves=None, combine=None):
        # leaves: engine Scalars whose values `combine` turns into this value
        self._leaves = [engine] if leaves is None else leaves
        self._combine = combine

    @property
    def _d(self):
        if self._combine is not None:
            raise TypeError("a combined Scalar has no single engine node")
        return self._leaves[0]

    @property
    def dtype(self):
        if self._combine is not None:
            return np.result_type(*[_pandas_dtype(leaf.dtype) for leaf in self._leaves])
        return _pandas_dtype(self._d.dtype)

    def compute(self, **kwargs):
        if _scheduler.cluster() is not None:
            return _compute_together(self)[0]
        if self._combine is None:
            return scalar_to_python(self._d.compute(_scheduler.current()))
        tables = _core.compute_all(self._leaves, _scheduler.current())
        return self._finish([scalar_to_python(_core.scalar_of_table(t)) for t in tables])

    def _finish(self, values):
        """This Scalar's value from its leaves' values."""
        return _finish_values(self._combine, values)

    def _finisher(self):
        return functools.partial(_scalar_result, self._combine)

    def _cluster_persisted(self, keys, holders):
        return self  # a reduction's value is small: computing it again is cheap

    def explain(self) -> str:
        return "\n".join(leaf.explain() for leaf in self._leaves)

    def visualize(self, filename="mydask", format="png", **kwargs):
        """Draws the optimized plan of the reductions behind this value (see DataFrame.visualize)."""
        return visualize(self, filename=filename, format=format)

    def _visual_nodes(self):
        return _plan_nodes(self._leaves)

    def __repr__(self):
        return repr(self._d) if self._combine is None else f"tessera.Scalar<combined, {len(self._leaves)} reductions>"

    def __bool__(self):
        raise TypeError("a lazy tessera Scalar has no truth value; call compute() first")


def _finish_values(combine, values):
    return values[0] if combine is None else combine(*values)


def _scalar_result(combine, tables):
    return _finish_values(combine, [scalar_to_python(_core.scalar_of_table(t)) for t in tables])


def _scalar_operator(op, reflected=False):
    def method(self, other):
        if isinstance(other, (Series, DataFrame)):
            return NotImplemented
        mine = len(self._leaves)
        mine_combine = self._combine
        if isinstance(other, Scalar):
            leaves, theirs_combine = self._leaves + other._leaves, other._combine

            def theirs(values):
                return _finish_values(theirs_combine, values)
        else:
            leaves, constant = self._leaves, other

            def theirs(values):
                return constant

        # closures over functions and values only: the combination travels to a cluster's workers
        def combine(*values):
            a, b = _finish_values(mine_combine, list(values[:mine])), theirs(list(values[mine:]))
            return op(b, a) if reflected else op(a, b)
        return Scalar(None, leaves, combine)
    return method


for _name, _op in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
                   ("pow", operator.pow)]:
    setattr(Scalar, f"__{_name}__", _scalar_operator(_op))
    setattr(Scalar, f"__r{_name}__", _scalar_operator(_op, reflected=True))
for _name, _op in [("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge)]:
    setattr(Scalar, f"__{_name}__", _scalar_operator(_op))
def _scalar_unary(op):
    def method(self):
        inner = self._combine
        return Scalar(None, self._leaves, lambda *v: op(_finish_values(inner, list(v))))
    return method


Scalar.__neg__ = _scalar_unary(operator.neg)
Scalar.__abs__ = _scalar_unary(operator.abs)
del _name, _op


# ---------------------------------------------------------------------------------------------
# DataFrame

class DataFrame(_Collection):
    """A lazy partitioned table with pandas' DataFrame API."""

    def __init__(self, engine):
        object.__setattr__(self, "_d", engine)

    # -- structure -----------------------------------------------------------------------------
    _wrap = staticmethod(lambda d: DataFrame(d))

    def _frame_engine(self):
        return self._d

    @staticmethod
    def _from_frame(frame):
        return frame

    def _converter(self):
        return table_to_pandas

    @property
    def columns(self) -> pd.Index:
        return pd.Index(self._d.columns)

    @property
    def dtypes(self) -> pd.Series:
        return pd.Series({name: _pandas_dtype(t) for name, t in self._d.dtypes}, dtype=object)

    @property
    def _meta(self) -> pd.DataFrame:
        return table_to_pandas(self._d.meta())

    @property
    def ndim(self):
        return 2

    @property
    def shape(self):
        return (Scalar(self._d.size()), len(self._d.columns))

    @property
    def index(self):
        return Index(self._d.index())

    @property
    def loc(self):
        from .indexing import _LocIndexer
        return _LocIndexer(self)

    @property
    def partitions(self):
        from .indexing import _PartitionsIndexer
        return _PartitionsIndexer(self)

    def get_partition(self, n):
        return self.partitions[n]

    def to_dask_array(self, lengths=None, meta=None, optimize=True):
        """The values as a chunked array (tessera.array), one block of rows per partition.
        The partitions are computed now, in one engine call (they are engine tables, not Python
        tasks), so the chunk sizes are always known; `lengths` given as a list is checked
        against them."""
        from ..array._frames import frame_to_array
        return frame_to_array(self, lengths)

    @property
    def values(self):
        """to_dask_array() without lengths."""
        return self.to_dask_array()

    def __len__(self):
        if _scheduler.cluster() is not None:
            return _cluster_length(self)
        return self._d.len(_scheduler.current())

    def __dir__(self):
        return sorted(set(super().__dir__()) | {c for c in self._d.columns if c.isidentifier()})

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._d.columns:
            return self._column(name)
        raise AttributeError(f"'DataFrame' object has no attribute {name!r}")

    def _column(self, name):
        from .partition_functions import derived_recipe
        series = Series(self._d.column(name))
        series._recipe = derived_recipe(self, lambda partition: partition[name])
        return series

    def __getitem__(self, key):
        if isinstance(key, Series):
            return DataFrame(self._d.filter(key._s))
        if isinstance(key, (list, pd.Index, tuple)):
            from .partition_functions import derived_recipe
            names = [str(k) for k in key]
            frame = DataFrame(self._d.select(names))
            object.__setattr__(frame, "_recipe", derived_recipe(self, lambda partition: partition[names]))
            return frame
        if isinstance(key, slice):
            raise TypeError("row slices are positional in pandas and not supported here; use loc or head")
        return self._column(str(key))

    def __setitem__(self, key, value):
        result = _assigned(self, str(key), value)
        # in place, as pandas: this object becomes the result (a shaped frame when the new
        # column holds Python objects)
        object.__setattr__(self, "__class__", type(result))
        self.__dict__.update(result.__dict__)
        object.__setattr__(self, "_recipe", result._recipe)

    def __setattr__(self, name, value):
        raise AttributeError("set columns with df[name] = value or assign()")

    def __iter__(self):
        return iter(self._d.columns)

    def _repr_html_(self):
        return _structure_html(self, "DataFrame")

    # -- columns ---------------------------------------------------------------------------------
    def assign(self, **columns):
        frame = DataFrame(self._d)
        object.__setattr__(frame, "_recipe", self._recipe)
        for name, value in columns.items():
            if callable(value):
                value = value(frame)
            frame = _assigned(frame, name, value)
        return frame

    def drop(self, labels=None, axis=0, columns=None, errors="raise"):
        names = _as_list(columns if columns is not None else labels)
        if columns is None and axis not in (1, "columns"):
            raise NotImplementedError("drop removes columns only: pass columns= or axis=1")
        if errors == "ignore":
            names = [n for n in names if n in self._d.columns]
        return DataFrame(self._d.drop(names))

    def rename(self, columns=None, **kwargs):
        if columns is None:
            raise TypeError("rename needs columns={old: new}")
        if callable(columns):
            columns = {c: columns(c) for c in self._d.columns}
        return DataFrame(self._d.rename({str(k): str(v) for k, v in columns.items()}))

    def astype(self, dtype):
        if isinstance(dtype, dict):
            return DataFrame(self._d.astype({str(k): _engine_dtype(v) for k, v in dtype.items()}))
        return DataFrame(self._d.astype_all(_engine_dtype(dtype)))


    def fillna(self, value):
        if isinstance(value, dict):
            value = {str(k): to_engine_scalar(v) for k, v in value.items()}
            return DataFrame(self._d.fillna(value))
        return DataFrame(self._d.fillna(to_engine_scalar(value)))

    def dropna(self, how="any", subset=None):
        return DataFrame(self._d.dropna(how, _as_list(subset)))

    def where(self, cond, other=np.nan, axis=None):
        if not isinstance(cond, DataFrame) and not isinstance(other, (Series, DataFrame)):
            return DataFrame(self._d.where(cond._s, to_engine_scalar(other)))
        return self._columnwise("where", cond, other, axis)

    def mask(self, cond, other=np.nan, axis=None):
        if not isinstance(cond, DataFrame) and not isinstance(other, (Series, DataFrame)):
            return DataFrame(self._d.mask(cond._s, to_engine_scalar(other)))
        return self._columnwise("mask", cond, other, axis)

    # -- elementwise operators, column by column (a frame with the same columns, or a scalar) ---
    def _elementwise(self, dunder, other):
        if isinstance(other, DataFrame):
            if list(other.columns) != list(self.columns):
                raise NotImplementedError(f"{dunder} of frames with different columns ({list(self.columns)} and "
                                          f"{list(other.columns)}): select the same columns on both sides")
            return self.assign(**{name: getattr(self[name], dunder)(other[name]) for name in self.columns})
        if isinstance(other, Series) and not isinstance(other, Index):
            return self._with_column_values(dunder, other)
        if isinstance(other, (Index, pd.Series, pd.DataFrame)):
            return NotImplemented
        # a scalar, or a lazy Scalar every column uses in the same graph
        return self.assign(**{name: getattr(self[name], dunder)(other) for name in self.columns})

    def _with_column_values(self, dunder, other):
        """frame <op> series, the series' labels lined up with the columns (pandas' axis=1), as
        Dask does it: the series (a reduction of a frame, one partition) goes to every partition."""
        if other.npartitions != 1:
            raise NotImplementedError(
                f"{dunder} of a DataFrame and a Series of {other.npartitions} partitions: pandas lines the "
                f"Series' labels up with the columns, which needs a Series of one partition (such as "
                f"df.mean()); to combine row by row, use the columns (df[c] {dunder.strip('_')} series)")
        from .partition_functions import zip_partitions

        def run(frame, values):
            return getattr(frame, dunder)(values)
        columns_meta = pd.Series(np.zeros(len(self.columns), dtype=other.dtype), index=self.columns)
        meta = run(self._meta, columns_meta)
        return zip_partitions(run, [self, other], meta=meta, broadcast=(1,), name=dunder.strip("_"),
                              keep_divisions=True)

    def __neg__(self):
        return self.assign(**{name: -self[name] for name in self.columns})

    def __invert__(self):
        return self.assign(**{name: ~self[name] for name in self.columns})

    def __abs__(self):
        return self.abs()

    def _columnwise(self, method, cond, other, axis):
        """where / mask column by column: a frame of conditions or of replacements matches
        columns by name, a Series of replacements lines up with the rows (pandas' axis=0)."""
        if isinstance(other, Series) and axis not in (0, "index"):
            raise ValueError(f"DataFrame.{method} with a Series as other needs axis=0 (or 'index'): "
                             "its values replace along the rows, as pandas requires")
        columns = {}
        for name in self.columns:
            column_cond = cond[name] if isinstance(cond, DataFrame) else cond
            column_other = other[name] if isinstance(other, DataFrame) else other
            columns[name] = getattr(self[name], method)(column_cond, column_other)
        return self.assign(**columns)


    # -- reductions (a Series indexed by column name) ---------------------------------------------
    sum, mean, count, min, max = (_reduction(n, lambda d: Series(d)) for n in ("sum", "mean", "count", "min", "max"))
    var, std = (_reduction(n, lambda d: Series(d), ddof=True) for n in ("var", "std"))

    def nunique(self, dropna=True):
        return Series(self._d.nunique(dropna))

    def any(self):
        return Series(self._d.any())

    def all(self):
        return Series(self._d.all())

    def idxmin(self):
        return Series(self._d.idxmin())

    def idxmax(self):
        return Series(self._d.idxmax())

    def describe(self):
        return DataFrame(self._d.describe())

    def corr(self, method="pearson", min_periods=None, numeric_only=False, split_every=False):
        """Pearson correlations of every pair of numeric columns, each over the rows where both
        are present (as pandas)."""
        from .statistics import corr_cov
        return corr_cov(self, method, min_periods, None, numeric_only)

    def cov(self, min_periods=None, ddof=1, numeric_only=False, split_every=False):
        """Covariances of every pair of numeric columns, each over the rows where both are present."""
        from .statistics import corr_cov
        return corr_cov(self, "pearson", min_periods, int(ddof), numeric_only)

    def drop_duplicates(self, subset=None, split_out=1, ignore_index=False, keep="first"):
        """The first row of every distinct value of `subset` (all columns by default), with its
        index label, as pandas."""
        if keep != "first":
            raise NotImplementedError(f"drop_duplicates(keep={keep!r}): only keep='first' is supported")
        result = DataFrame(self._d.drop_duplicates(_as_list(subset), split_out))
        return result.reset_index(drop=True) if ignore_index else result

    # -- selections and pandas functions on every partition --------------------------------------
    def select_dtypes(self, include=None, exclude=None):
        """The columns of the given dtypes (pandas' names: "number", "float64", "category", ...)."""
        return self[list(self._meta.select_dtypes(include=include, exclude=exclude).columns)]

    @property
    def iloc(self):
        from .indexing import _ILocIndexer
        return _ILocIndexer(self)

    def query(self, expr, **kwargs):
        """pandas' query on every partition; ``@name`` reads the caller's variables."""
        from .partition_functions import _map_partitions
        kwargs = _with_caller_variables(kwargs)
        return _map_partitions(self, lambda part: part.query(expr, **kwargs), (), {}, None, name="query")

    def eval(self, expr, **kwargs):
        """pandas' eval on every partition (an expression gives a Series, an assignment a frame);
        ``@name`` reads the caller's variables."""
        if kwargs.get("inplace"):
            raise NotImplementedError("eval(inplace=True) is not supported; assign the result")
        from .partition_functions import _map_partitions
        kwargs = _with_caller_variables(kwargs)
        return _map_partitions(self, lambda part: part.eval(expr, **kwargs), (), {}, None, name="eval")

    def melt(self, id_vars=None, value_vars=None, var_name=None, value_name="value", col_level=None):
        from .reshape import melt
        return melt(self, id_vars, value_vars, var_name, value_name, col_level)

    def nlargest(self, n=5, columns=None):
        return DataFrame(self._d.nlargest(n, _single(columns, "nlargest")))

    def nsmallest(self, n=5, columns=None):
        return DataFrame(self._d.nsmallest(n, _single(columns, "nsmallest")))

    # -- group-by, index, time series ------------------------------------------------------------
    def groupby(self, by, sort=True, dropna=True, split_out=1, split_every=8, observed=None, as_index=True,
                group_keys=True, shuffle_method=None, **kwargs):
        _reject(kwargs, "groupby")
        from .groupby import groupby
        return groupby(self, by, sort, dropna, split_out, split_every, as_index, group_keys, shuffle_method)

    def set_index(self, other, sorted=False, divisions=None, npartitions=None, shuffle="auto", drop=True,
                  **kwargs):
        _reject(kwargs, "set_index")
        if isinstance(other, Series):
            if other.name not in self._d.columns:
                raise NotImplementedError("set_index takes a column of this frame (or its name)")
            other = other.name
        if not drop:
            raise NotImplementedError("set_index(drop=False) is not supported yet")
        if divisions is None and _scheduler.cluster() is not None:
            # the engine samples the keys where the partitions are: on the cluster, here
            divisions = _sampled_divisions(self, str(other), int(npartitions or self.npartitions))
        engine_divisions = None if divisions is None else [to_engine_scalar(d) for d in divisions]
        return DataFrame(self._d.set_index(str(other), bool(sorted), engine_divisions, int(npartitions or 0),
                                           shuffle if isinstance(shuffle, str) else "auto",
                                           _scheduler.current()))

    def reset_index(self, drop=False):
        if self._d.index_dtype is None:
            return self  # no index: rows are numbered from 0 already
        if drop:
            index_column = self._d.reset_index().columns[0]
            return DataFrame(self._d.reset_index().drop([index_column]))
        return DataFrame(self._d.reset_index())

    def clear_divisions(self):
        return DataFrame(self._d.clear_divisions())

    def resample(self, rule, **kwargs):
        _reject(kwargs, "resample")
        from .windows import Resampler
        return Resampler(self._d.resample(str(rule)), frame=True, rule=rule)

    def rolling(self, window, min_periods=None):
        """Windows over every numeric column (``df.rolling(5).mean()``, ``df.rolling("24h")``)."""
        from .windows import Rolling
        return Rolling(self, window, min_periods)

    def repartition(self, divisions=None, npartitions=None, partition_size=None):
        if npartitions is not None:
            return DataFrame(self._d.repartition(int(npartitions)))
        if partition_size is not None:
            return DataFrame(self._d.repartition_by_size(parse_bytes(partition_size, "partition_size"), _scheduler.current()))
        if divisions is not None:
            return DataFrame(self._d.repartition_divisions([to_engine_scalar(d) for d in divisions]))
        raise TypeError("repartition needs npartitions=, partition_size= or divisions=")

    def sort_values(self, by, ascending=True, na_position="last", **kwargs):
        _reject(kwargs, "sort_values")
        if na_position != "last":
            raise NotImplementedError("sort_values puts missing values last (na_position='last')")
        by = _as_list(by)
        ascending = [ascending] * len(by) if isinstance(ascending, bool) else list(ascending)
        return DataFrame(self._d.sort_values(by, ascending, _scheduler.current()))

    def merge(self, right, how="inner", on=None, left_on=None, right_on=None, left_index=False,
              right_index=False, suffixes=("_x", "_y"), npartitions=None, **kwargs):
        _reject(kwargs, "merge")
        if isinstance(right, Series):
            right = right.to_frame()
        return DataFrame(self._d.merge(right._d, how, _as_list(on), _as_list(left_on), _as_list(right_on),
                                       bool(left_index), bool(right_index), tuple(suffixes), int(npartitions or 0)))

    def join(self, other, how="left", lsuffix="", rsuffix=""):
        return DataFrame(self._d.join(other._d, how, lsuffix, rsuffix))

    def to_csv(self, filename, index=True, sep=",", na_rep="", name_function=None, storage_options=None,
               **kwargs):
        """One file per partition, written in parallel: a ``*`` in `filename` becomes the
        partition number, or ``name_function(number)``; without ``*``, one file. `filename` may
        be an ``s3://`` or ``gs://`` URL, reached with ``storage_options``. Returns the paths
        written (absolute for local files), as Dask does."""
        _reject(kwargs, "to_csv")
        from .io import write_csv
        return write_csv(self, os.fspath(filename), bool(index), sep, na_rep, name_function, storage_options)

    def to_parquet(self, path, compression="snappy", write_index=True, partition_on=None, name_function=None,
                   row_group_size=None, storage_options=None, **kwargs):
        """One Parquet file per partition in directory `path`, written in parallel:
        ``part.{i}.parquet``, or ``name_function(i)``; with ``partition_on``, in hive
        ``key=value/`` directories without those columns. Files carry min/max statistics and
        pandas' metadata for the index. Returns the paths written."""
        _reject(kwargs, "to_parquet")
        from .io import write_parquet
        return write_parquet(self, path, compression, write_index, partition_on, name_function, row_group_size,
                             storage_options)

    # -- user functions ---------------------------------------------------------------------------
    def map_partitions(self, func, *args, meta=None, **kwargs):
        from .partition_functions import _map_partitions
        return _map_partitions(self, func, args, kwargs, meta)

    def apply(self, func, axis=0, meta=None, args=(), **kwargs):
        if axis not in (1, "columns"):
            raise NotImplementedError("DataFrame.apply runs row-wise only: pass axis=1")
        from .partition_functions import _map_partitions
        return _map_partitions(self, lambda df: df.apply(func, axis=1, args=args, **kwargs), (), {}, meta,
                               name="apply")

    # -- results ----------------------------------------------------------------------------------
    def head(self, n=5, npartitions=-1, compute=True):
        """The first n rows, computing only the partitions they need (npartitions is accepted
        for Dask's spelling; every needed partition is read)."""
        if not compute:
            raise NotImplementedError("head(compute=False) is not supported; use partitions[0]")
        return table_to_pandas(_end_rows(self._d, n))

    def tail(self, n=5, compute=True):
        return table_to_pandas(_end_rows(self._d, n, last=True))

    def to_pandas(self):
        return self.compute()


def _with_caller_variables(kwargs):
    """query/eval keywords with the variables of the code calling them (two frames up), which
    pandas' ``@name`` reads and which are gone by the time partitions are computed."""
    import sys
    if "local_dict" in kwargs or "global_dict" in kwargs:
        return kwargs
    caller = sys._getframe(2)
    return {**kwargs, "local_dict": dict(caller.f_locals), "global_dict": dict(caller.f_globals)}


def _assigned(frame, name, value):
    """`frame` with column `name` set to `value`: in the engine when it lines the rows up, else
    partition by partition when value comes from the frame's own partitions (as Dask aligns a
    map_partitions or apply result); rows of another frame are an error."""
    from .partition_functions import assign_partitionwise
    try:
        return DataFrame(frame._d.assign(name, _constant(value)))
    except ValueError as error:
        result = assign_partitionwise(frame, name, value)
        if result is None:
            raise error from None
        return result


def _single(columns, what):
    names = _as_list(columns)
    if len(names) != 1:
        raise NotImplementedError(f"{what} takes one column")
    return names[0]


# ---------------------------------------------------------------------------------------------
# Series

_COMMUTATIVE = {"add", "mul", "and", "or", "xor", "eq", "ne"}


_PYTHON_OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
                     "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow, "eq": operator.eq,
                     "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
                     "and": operator.and_, "or": operator.or_, "xor": operator.xor}


def _with_scalar(series, scalar):
    """`series` and a Series holding `scalar`'s value on every row, both over one frame: the
    scalar stays lazy and is computed in the same graph (s - s.mean())."""
    rebased, leaves = series._d.with_scalars(scalar._leaves)
    values = [Series(leaf) for leaf in leaves]
    value = values[0] if scalar._combine is None else scalar._combine(*values)
    return Series(rebased), value.rename(series.name)


def _binary(op, reflected=False):
    def method(self, other):
        if isinstance(other, (DataFrame, pd.DataFrame)):
            return NotImplemented
        if isinstance(other, Scalar):
            self, other = _with_scalar(self, other)
        lhs, rhs = (other, self) if reflected and op not in _COMMUTATIVE else (self, other)
        from .partition_functions import binary_partitionwise
        try:
            result = Series(_core.binary(op, _constant(lhs), _constant(rhs)))
        except ValueError:
            # Series the engine cannot line up (a map_partitions result and a column of the
            # same frame): partition by partition, when both come from one frame's partitions
            result = binary_partitionwise(_PYTHON_OPERATORS[op], lhs, rhs)
            if result is None:
                # collections of different frames (group-by results): aligned partition by
                # partition, as Dask aligns them
                from .partition_functions import align_partitionwise
                return align_partitionwise(_PYTHON_OPERATORS[op], lhs, rhs, name=op)
            return result
        result._recipe = binary_partitionwise(_PYTHON_OPERATORS[op], lhs, rhs, recipe_only=True)
        return result
    method.__name__ = f"__{'r' if reflected else ''}{op}__"
    return method


class Series(_Collection):
    """A lazy column with pandas' Series API."""

    def __init__(self, engine):
        self._d = engine

    _wrap = staticmethod(lambda d: Series(d))

    @property
    def _s(self):
        return self._d

    def _frame_engine(self):
        return self._d.to_frame()

    def _from_frame(self, frame):
        return Series(frame._d.column(frame._d.columns[0])).rename(self.name)

    def _converter(self):
        return functools.partial(table_to_series, name=self._pandas_name())

    def _pandas_name(self):
        return self._d.name if self._d.name != "" else None

    @property
    def name(self):
        return self._pandas_name()

    @property
    def dtype(self):
        return _pandas_dtype(self._d.dtype)

    @property
    def ndim(self):
        return 1

    @property
    def shape(self):
        return (Scalar(self._d.size()),)

    @property
    def index(self):
        return Index(self._d.to_frame().index())

    @property
    def loc(self):
        from .indexing import _LocIndexer
        return _LocIndexer(self)

    @property
    def partitions(self):
        from .indexing import _PartitionsIndexer
        return _PartitionsIndexer(self)

    def to_dask_array(self, lengths=None, meta=None, optimize=True):
        """The values as a 1-D chunked array (tessera.array), one block per partition
        (computed now, in one engine call)."""
        from ..array._frames import frame_to_array
        return frame_to_array(self, lengths)

    @property
    def values(self):
        """to_dask_array() without lengths."""
        return self.to_dask_array()

    @property
    def dt(self):
        from .accessors import _DatetimeAccessor
        return _DatetimeAccessor(self)

    @property
    def str(self):
        from .accessors import _StringAccessor
        return _StringAccessor(self)

    @property
    def cat(self):
        from .accessors import _CategoricalAccessor
        return _CategoricalAccessor(self)

    @property
    def _meta(self):
        return table_to_series(self._d.to_frame().meta(), self._pandas_name())

    def __len__(self):
        if _scheduler.cluster() is not None:
            return _cluster_length(self)
        return self._d.to_frame().len(_scheduler.current())

    def __bool__(self):
        raise TypeError("the truth value of a lazy Series is ambiguous; use a reduction such as any() or all()")

    def __iter__(self):
        """Computes, then iterates over the values (as Dask does)."""
        return iter(self.compute())

    def __contains__(self, value):
        raise TypeError("'in' on a lazy Series is ambiguous; use isin(...).any().compute()")

    def _repr_html_(self):
        return _structure_html(self, "Series")

    __add__, __radd__ = _binary("add"), _binary("add", True)
    __sub__, __rsub__ = _binary("sub"), _binary("sub", True)
    __mul__, __rmul__ = _binary("mul"), _binary("mul", True)
    __truediv__, __rtruediv__ = _binary("truediv"), _binary("truediv", True)
    __mod__, __rmod__ = _binary("mod"), _binary("mod", True)
    __floordiv__, __rfloordiv__ = _binary("floordiv"), _binary("floordiv", True)
    __pow__, __rpow__ = _binary("pow"), _binary("pow", True)
    __eq__, __ne__ = _binary("eq"), _binary("ne")
    __lt__, __le__, __gt__, __ge__ = _binary("lt"), _binary("le"), _binary("gt"), _binary("ge")
    __and__, __rand__ = _binary("and"), _binary("and", True)
    __or__, __ror__ = _binary("or"), _binary("or", True)
    __xor__, __rxor__ = _binary("xor"), _binary("xor", True)
    __hash__ = None

    def __neg__(self):
        return Series(self._d.neg())

    def __invert__(self):
        return Series(self._d.invert())

    def __abs__(self):
        return self.abs()

    def __getitem__(self, key):
        if isinstance(key, Series):
            return Series(self._d.filter(key._s))
        return self.loc[key]

    add = _binary("add")
    sub = _binary("sub")
    mul = _binary("mul")
    div = truediv = _binary("truediv")
    floordiv = _binary("floordiv")
    mod = _binary("mod")
    pow = _binary("pow")
    eq, ne, lt, le, gt, ge = (_binary(o) for o in ("eq", "ne", "lt", "le", "gt", "ge"))

    # -- elementwise ------------------------------------------------------------------------------
    def rename(self, name):
        return Series(self._d.rename("" if name is None else str(name)))

    def astype(self, dtype):
        return Series(self._d.astype(_engine_dtype(dtype)))


    def fillna(self, value):
        return Series(self._d.fillna(to_engine_scalar(value)))

    def dropna(self):
        return self[self.notnull()]

    def where(self, cond, other=None):
        return Series(self._d.where(cond._s, _constant(other)))

    def mask(self, cond, other=None):
        if isinstance(other, Series):
            return self.where(~cond, other)  # pandas' mask is where with the condition inverted
        return Series(self._d.mask(cond._s, to_engine_scalar(other)))

    def between(self, left, right, inclusive="both"):
        return Series(self._d.between(to_engine_scalar(left), to_engine_scalar(right), inclusive))

    def isin(self, values):
        return Series(self._d.isin([to_engine_scalar(v) for v in values]))


    def to_frame(self, name=None):
        series = self if name is None else self.rename(name)
        return DataFrame(series._d.to_frame())

    def combine_first(self, other):
        """This Series' values, missing ones taken from `other` (pandas aligns the labels)."""
        if not isinstance(other, Series):
            return self.fillna(other) if np.isscalar(other) else NotImplemented
        try:
            return Series(self._d.where(self.notnull()._s, other._s)).rename(self.name)
        except ValueError:
            from .partition_functions import align_partitionwise
            return align_partitionwise(lambda a, b: a.combine_first(b), self, other, name="combine-first")

    def mode(self, dropna=True, split_every=False):
        """The most frequent values, sorted (a Series numbered from 0, as pandas')."""
        from .statistics import mode
        return mode(self, dropna, split_every)

    # -- reductions -------------------------------------------------------------------------------
    sum, mean, count, min, max, any, all, idxmin, idxmax = (
        _reduction(n, Scalar) for n in ("sum", "mean", "count", "min", "max", "any", "all", "idxmin", "idxmax"))
    var, std = (_reduction(n, Scalar, ddof=True) for n in ("var", "std"))

    def nunique(self, dropna=True, split_every=8):
        return Scalar(self._d.nunique(dropna, split_every))

    def any(self, axis=None, *, split_every=8):
        _only_axis0(axis, "any")
        return Scalar(self._d.any(split_every))

    def all(self, axis=None, *, split_every=8):
        _only_axis0(axis, "all")
        return Scalar(self._d.all(split_every))

    def idxmin(self, axis=None, *, split_every=8):
        _only_axis0(axis, "idxmin")
        return Scalar(self._d.idxmin(split_every))

    def idxmax(self, axis=None, *, split_every=8):
        _only_axis0(axis, "idxmax")
        return Scalar(self._d.idxmax(split_every))

    def quantile(self, q=0.5):
        return Scalar(self._d.quantile(float(q)))

    def size(self):
        return Scalar(self._d.size())

    def describe(self):
        return Series(self._d.describe())

    def value_counts(self, sort=True, ascending=False, normalize=False, dropna=True, split_out=1):
        return Series(self._d.value_counts(sort, ascending, normalize, dropna, split_out))

    def unique(self, split_out=1):
        return Series(self._d.unique(split_out))

    def drop_duplicates(self, split_out=1):
        return Series(self._d.unique(split_out))

    def nlargest(self, n=5):
        return Series(self._d.nlargest(n))

    def sort_values(self, ascending=True, na_position="last", **kwargs):
        frame = self.to_frame(name="__values__" if self.name is None else self.name)
        column = frame.columns[0]
        return frame.sort_values(column, ascending=ascending, na_position=na_position, **kwargs)[column].rename(self.name)

    def nsmallest(self, n=5):
        return Series(self._d.nsmallest(n))

    # -- group-by, time series -------------------------------------------------------------------
    def groupby(self, by, sort=True, dropna=True, split_out=1, split_every=8, observed=None, shuffle_method=None,
                **kwargs):
        _reject(kwargs, "Series.groupby")
        from .groupby import groupby
        column = self.name if self.name is not None else "\x1fvalues"
        if isinstance(by, Series) and by._d.name == self._d.name:
            return groupby(self.to_frame(), by, sort, dropna, split_out, split_every)[column]
        return groupby(self.to_frame(name=column), by, sort, dropna, split_out, split_every)[column]

    def resample(self, rule, **kwargs):
        _reject(kwargs, "resample")
        from .windows import Resampler
        return Resampler(self._d.resample(str(rule)), frame=False, rule=rule)

    def rolling(self, window, min_periods=None):
        from .windows import Rolling
        return Rolling(self, window, min_periods)

    # -- user functions ---------------------------------------------------------------------------
    def map_partitions(self, func, *args, meta=None, **kwargs):
        from .partition_functions import _map_partitions
        return _map_partitions(self, func, args, kwargs, meta)

    def apply(self, func, meta=None, args=(), **kwargs):
        from .partition_functions import _map_partitions
        return _map_partitions(self, lambda s: s.apply(func, args=args, **kwargs), (), {}, meta, name="apply")

    def map(self, arg, meta=None):
        from .partition_functions import _map_partitions
        return _map_partitions(self, lambda s: s.map(arg), (), {}, meta, name="map")

    def head(self, n=5, compute=True):
        return table_to_series(_end_rows(self._d, n), self._pandas_name())

    def tail(self, n=5, compute=True):
        return table_to_series(_end_rows(self._d, n, last=True), self._pandas_name())

    def to_pandas(self):
        return self.compute()


class Index(Series):
    """The index of a frame, as a lazy collection; computes to a pandas Index."""

    def _converter(self):
        return functools.partial(_index_of_table, name=self._pandas_name())

    def _rewrap(self, engine):
        return Index(engine)


def _structure_html(collection, kind):
    d = collection._frame_engine()
    names = [n for n, _ in d.dtypes]
    types = [str(_pandas_dtype(t)) for _, t in d.dtypes]
    n = d.npartitions
    divisions = collection.divisions
    labels = [("" if v is None else str(v)) for v in divisions] if collection.known_divisions else ["", ""]
    if len(labels) > 6:
        labels = labels[:2] + ["..."] + labels[-2:]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in names)
    rows = [f"<tr><th>{html.escape(labels[0])}</th>" + "".join(f"<td>{html.escape(t)}</td>" for t in types) + "</tr>"]
    for label in labels[1:]:
        rows.append(f"<tr><th>{html.escape(label)}</th>" + "<td>...</td>" * len(names) + "</tr>")
    return (f"<div><strong>tessera {kind} Structure:</strong></div>"
            f"<table border='1' class='dataframe'><thead><tr style='text-align: right;'><th>npartitions={n}</th>"
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<div>tessera Name: {html.escape(repr(collection).splitlines()[-1].split(': ', 1)[-1])}</div>")


def _frame_operator(dunder):
    return lambda self, other: self._elementwise(dunder, other)


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor"):
    setattr(DataFrame, f"__{_op}__", _frame_operator(f"__{_op}__"))
    setattr(DataFrame, f"__r{_op}__", _frame_operator(f"__r{_op}__"))
for _op in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(DataFrame, f"__{_op}__", _frame_operator(f"__{_op}__"))
del _op
