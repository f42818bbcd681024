"""DataFrame, Series, Index and Scalar: lazy collections over the engine's expression DAG, named
and behaving as Dask's (and, for results, pandas'). Nothing runs until ``compute()`` (a pandas
object) or ``persist()`` (partitions kept in the scheduler; a new collection reads them)."""

from __future__ import annotations

import html
import numbers
import operator

import numpy as np
import pandas as pd

from .. import _core, _profiling, _scheduler
from .._convert import (PANDAS_MAJOR, arrow_to_table, pandas_to_table, table_to_arrow, scalar_to_python, table_to_pandas, table_to_series,
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


def _parse_bytes(value):
    if isinstance(value, numbers.Integral):
        return int(value)
    text = str(value).strip().replace(" ", "").upper()
    units = {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "KB": 10**3, "MB": 10**6, "GB": 10**9, "B": 1}
    for unit, factor in units.items():
        if text.endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(float(text))


class _Collection:
    """What DataFrame, Series and Index share: partitions, divisions, compute and persist."""

    _d = None  # the engine object

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
        return self._to_pandas(self._d.compute(_scheduler.current()))

    def persist(self, **kwargs):
        return self._wrap(self._d.persist(_scheduler.current()))

    def explain(self) -> str:
        """The optimized plan and the number of tasks it lowers to."""
        return self._d.explain()

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

    def __repr__(self):
        return repr(self._d)

    def __arrow_c_stream__(self, requested_schema=None):
        """The computed result as an Arrow stream over the engine's buffers (pyarrow, Polars
        and DuckDB read it without a copy)."""
        return table_to_arrow(self._frame_engine().compute(_scheduler.current())).__arrow_c_stream__(requested_schema)


class Scalar:
    """A lazy single value: the result of a reduction, or arithmetic on such results
    (``df.x.sum() / df.x.count()``), computed together in one graph."""

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
        if self._combine is None:
            return scalar_to_python(self._d.compute(_scheduler.current()))
        tables = _core.compute_all(self._leaves, _scheduler.current())
        return self._finish([scalar_to_python(_core.scalar_of_table(t)) for t in tables])

    def _finish(self, values):
        """This Scalar's value from its leaves' values."""
        return values[0] if self._combine is None else self._combine(*values)

    def explain(self) -> str:
        return "\n".join(leaf.explain() for leaf in self._leaves)

    def __repr__(self):
        return repr(self._d) if self._combine is None else f"tessera.Scalar<combined, {len(self._leaves)} reductions>"

    def __bool__(self):
        raise TypeError("a lazy tessera Scalar has no truth value; call compute() first")


def _scalar_operator(op, reflected=False):
    def method(self, other):
        if isinstance(other, (Series, DataFrame)):
            return NotImplemented
        mine = len(self._leaves)
        if isinstance(other, Scalar):
            leaves = self._leaves + other._leaves
            theirs = other._finish
        else:
            leaves, theirs = self._leaves, (lambda *_: other)

        def combine(*values):
            a, b = self._finish(list(values[:mine])), theirs(list(values[mine:]))
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
Scalar.__neg__ = lambda self: Scalar(None, self._leaves, lambda *v: -self._finish(list(v)))
Scalar.__abs__ = lambda self: Scalar(None, self._leaves, lambda *v: abs(self._finish(list(v))))
del _name, _op


class _LocIndexer:
    def __init__(self, frame):
        self._frame = frame

    def __getitem__(self, key):
        frame = self._frame
        columns = None
        if isinstance(key, tuple):
            key, columns = key
        d = frame._frame_engine()
        if isinstance(key, slice):
            if key.step is not None:
                raise ValueError("loc slices with a step are not supported")
            d = _loc_slice(frame, d, key.start, key.stop)
        elif isinstance(key, Series):
            d = d.filter(key._s)
        elif isinstance(key, (list, np.ndarray, pd.Index)):
            d = d.loc_labels([to_engine_scalar(v) for v in key])
        else:
            d = d.loc_label(key if isinstance(key, str) else to_engine_scalar(key))
        result = DataFrame(d)
        if columns is not None:
            result = result[columns]
        return frame._from_frame(result)


def _loc_slice(frame, d, start, stop):
    index_dtype = d.index_dtype
    if index_dtype is None:
        raise ValueError("loc needs an index; call set_index first")
    if index_dtype.startswith("datetime64") and (isinstance(start, (str, type(None))) and isinstance(stop, (str, type(None)))):
        low = start if start is not None else "1677-09-22"
        high = stop if stop is not None else "2262-04-10"
        return d.loc_slice(low, high)
    index = d.index()
    mask = None
    if start is not None:
        mask = _core.binary("ge", index, to_engine_scalar(start))
    if stop is not None:
        upper = _core.binary("le", index, to_engine_scalar(stop))
        mask = upper if mask is None else _core.binary("and", mask, upper)
    return d if mask is None else d.filter(mask)


class _PartitionsIndexer:
    def __init__(self, collection):
        self._collection = collection

    def __getitem__(self, key):
        n = self._collection.npartitions
        indices = list(range(n))[key] if isinstance(key, slice) else (
            list(key) if isinstance(key, (list, tuple)) else [key])
        indices = [i + n if i < 0 else i for i in indices]
        for i in indices:
            if not 0 <= i < n:
                raise IndexError(f"partition {i} out of range: the collection has {n} partitions")
        c = self._collection
        return c._from_frame(DataFrame(c._frame_engine().partitions(indices)))


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

    def _to_pandas(self, table):
        return table_to_pandas(table)

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
        return _LocIndexer(self)

    @property
    def partitions(self):
        return _PartitionsIndexer(self)

    def get_partition(self, n):
        return self.partitions[n]

    def __len__(self):
        return self._d.len(_scheduler.current())

    def __dir__(self):
        return sorted(set(super().__dir__()) | {c for c in self._d.columns if c.isidentifier()})

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._d.columns:
            return Series(self._d.column(name))
        raise AttributeError(f"'DataFrame' object has no attribute {name!r}")

    def __getitem__(self, key):
        if isinstance(key, Series):
            return DataFrame(self._d.filter(key._s))
        if isinstance(key, (list, pd.Index, tuple)):
            return DataFrame(self._d.select([str(k) for k in key]))
        if isinstance(key, slice):
            raise TypeError("row slices are positional in pandas and not supported here; use loc or head")
        return Series(self._d.column(str(key)))

    def __setitem__(self, key, value):
        object.__setattr__(self, "_d", self._d.assign(str(key), _constant(value)))

    def __setattr__(self, name, value):
        raise AttributeError("set columns with df[name] = value or assign()")

    def __iter__(self):
        return iter(self._d.columns)

    def _repr_html_(self):
        return _structure_html(self, "DataFrame")

    # -- columns ---------------------------------------------------------------------------------
    def assign(self, **columns):
        d = self._d
        for name, value in columns.items():
            if callable(value):
                value = value(DataFrame(d))
            d = d.assign(name, _constant(value))
        return DataFrame(d)

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

    def where(self, cond, other=np.nan):
        return DataFrame(self._d.where(cond._s, to_engine_scalar(other)))

    def mask(self, cond, other=np.nan):
        return DataFrame(self._d.mask(cond._s, to_engine_scalar(other)))


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

    def drop_duplicates(self, subset=None, split_out=1, ignore_index=True):
        if not ignore_index:
            raise NotImplementedError("drop_duplicates does not keep the index yet (ignore_index=True)")
        return DataFrame(self._d.drop_duplicates(_as_list(subset), split_out))

    def nlargest(self, n=5, columns=None):
        return DataFrame(self._d.nlargest(n, _single(columns, "nlargest")))

    def nsmallest(self, n=5, columns=None):
        return DataFrame(self._d.nsmallest(n, _single(columns, "nsmallest")))

    # -- group-by, index, time series ------------------------------------------------------------
    def groupby(self, by, sort=True, dropna=True, split_out=1, split_every=8, observed=None, **kwargs):
        _reject(kwargs, "groupby")
        if isinstance(by, Series):
            return GroupBy(self._d.groupby_series(by._s, sort, dropna, split_out, split_every), self)
        if isinstance(by, (list, tuple)) and any(isinstance(b, Series) for b in by):
            raise NotImplementedError("group by several Series: assign them as columns and group by names")
        return GroupBy(self._d.groupby_columns(_as_list(by), sort, dropna, split_out, split_every), self,
                       _as_list(by))

    def set_index(self, other, sorted=False, divisions=None, npartitions=None, shuffle="auto", drop=True,
                  **kwargs):
        _reject(kwargs, "set_index")
        if isinstance(other, Series):
            if other.name not in self._d.columns:
                raise NotImplementedError("set_index takes a column of this frame (or its name)")
            other = other.name
        if not drop:
            raise NotImplementedError("set_index(drop=False) is not supported yet")
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
        return Resampler(self._d.resample(str(rule)), frame=True)

    def repartition(self, divisions=None, npartitions=None, partition_size=None):
        if npartitions is not None:
            return DataFrame(self._d.repartition(int(npartitions)))
        if partition_size is not None:
            return DataFrame(self._d.repartition_by_size(_parse_bytes(partition_size), _scheduler.current()))
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

    def to_csv(self, filename, index=True, sep=",", na_rep="", **kwargs):
        _reject(kwargs, "to_csv")
        return self._d.to_csv(str(filename), bool(index), sep, na_rep, _scheduler.current())

    # -- user functions ---------------------------------------------------------------------------
    def map_partitions(self, func, *args, meta=None, **kwargs):
        return _map_partitions(self, func, args, kwargs, meta)

    def apply(self, func, axis=0, meta=None, args=(), **kwargs):
        if axis not in (1, "columns"):
            raise NotImplementedError("DataFrame.apply runs row-wise only: pass axis=1")
        return _map_partitions(self, lambda df: df.apply(func, axis=1, args=args, **kwargs), (), {}, meta,
                               name="apply")

    # -- results ----------------------------------------------------------------------------------
    def head(self, n=5, npartitions=-1, compute=True):
        """The first n rows, computing only the partitions they need (npartitions is accepted
        for Dask's spelling; every needed partition is read)."""
        if not compute:
            raise NotImplementedError("head(compute=False) is not supported; use partitions[0]")
        return table_to_pandas(self._d.head(n, _scheduler.current()))

    def tail(self, n=5, compute=True):
        return table_to_pandas(self._d.tail(n, _scheduler.current()))

    def to_pandas(self):
        return self.compute()


def _single(columns, what):
    names = _as_list(columns)
    if len(names) != 1:
        raise NotImplementedError(f"{what} takes one column")
    return names[0]


# ---------------------------------------------------------------------------------------------
# Series

_COMMUTATIVE = {"add", "mul", "and", "or", "xor", "eq", "ne"}


def _binary(op, reflected=False):
    def method(self, other):
        if isinstance(other, (DataFrame, pd.DataFrame)):
            return NotImplemented
        if isinstance(other, Scalar):
            return NotImplemented
        lhs, rhs = (other, self) if reflected and op not in _COMMUTATIVE else (self, other)
        return Series(_core.binary(op, _constant(lhs), _constant(rhs)))
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

    def _to_pandas(self, table):
        return table_to_series(table, self._pandas_name())

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
        return _LocIndexer(self)

    @property
    def partitions(self):
        return _PartitionsIndexer(self)

    @property
    def dt(self):
        return _DatetimeAccessor(self)

    @property
    def str(self):
        return _StringAccessor(self)

    @property
    def _meta(self):
        return table_to_series(self._d.to_frame().meta(), self._pandas_name())

    def __len__(self):
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
        return Series(self._d.mask(cond._s, to_engine_scalar(other)))

    def between(self, left, right, inclusive="both"):
        return Series(self._d.between(to_engine_scalar(left), to_engine_scalar(right), inclusive))

    def isin(self, values):
        return Series(self._d.isin([to_engine_scalar(v) for v in values]))


    def to_frame(self, name=None):
        series = self if name is None else self.rename(name)
        return DataFrame(series._d.to_frame())

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

    def nsmallest(self, n=5):
        return Series(self._d.nsmallest(n))

    # -- group-by, time series -------------------------------------------------------------------
    def groupby(self, by, **kwargs):
        _reject(kwargs, "Series.groupby")
        if not isinstance(by, Series):
            raise NotImplementedError("Series.groupby takes a Series of the same frame")
        return SeriesGroupBy(self._d.groupby(by._s))

    def resample(self, rule, **kwargs):
        _reject(kwargs, "resample")
        return Resampler(self._d.resample(str(rule)), frame=False)

    def rolling(self, window, min_periods=None):
        if isinstance(window, numbers.Integral):
            return Rolling(self._d.rolling_rows(int(window), min_periods))
        return Rolling(self._d.rolling_span(str(window), 1 if min_periods is None else int(min_periods)))

    # -- user functions ---------------------------------------------------------------------------
    def map_partitions(self, func, *args, meta=None, **kwargs):
        return _map_partitions(self, func, args, kwargs, meta)

    def apply(self, func, meta=None, args=(), **kwargs):
        return _map_partitions(self, lambda s: s.apply(func, args=args, **kwargs), (), {}, meta, name="apply")

    def map(self, arg, meta=None):
        return _map_partitions(self, lambda s: s.map(arg), (), {}, meta, name="map")

    def head(self, n=5, compute=True):
        return table_to_series(self._d.head(n, _scheduler.current()), self._pandas_name())

    def tail(self, n=5, compute=True):
        return table_to_series(self._d.to_frame().tail(n, _scheduler.current()), self._pandas_name())

    def to_pandas(self):
        return self.compute()


class Index(Series):
    """The index of a frame, as a lazy collection; computes to a pandas Index."""

    def _to_pandas(self, table):
        series = table_to_series(table, self._pandas_name())
        return pd.Index(series.values, name=self._pandas_name())


def _dt_field(name):
    return property(lambda self: Series(self._s.dt(name)))


class _DatetimeAccessor:
    def __init__(self, series):
        self._s = series._d

    year, month, day, hour, minute, second = (_dt_field(f) for f in ("year", "month", "day", "hour", "minute", "second"))
    dayofweek = weekday = day_of_week = _dt_field("dayofweek")
    dayofyear = day_of_year = _dt_field("dayofyear")
    date = _dt_field("date")

    def normalize(self):
        return Series(self._s.dt("normalize"))

    def floor(self, freq):
        return Series(self._s.dt("floor", str(freq)))

    def ceil(self, freq):
        return Series(self._s.dt("ceil", str(freq)))

    def round(self, freq):
        return Series(self._s.dt("round", str(freq)))


def _str_method(name):
    """A Series.str method without arguments, calling the engine's str_<name>."""
    def method(self):
        return Series(getattr(self._s, "str_" + name)())
    method.__name__ = name
    return method


class _StringAccessor:
    def __init__(self, series):
        self._s = series._d

    len, lower, upper, strip, lstrip, rstrip = (
        _str_method(n) for n in ("len", "lower", "upper", "strip", "lstrip", "rstrip"))

    def contains(self, pat, regex=True):
        return Series(self._s.str_contains(str(pat), bool(regex)))

    def startswith(self, prefix):
        return Series(self._s.str_startswith(str(prefix)))

    def endswith(self, suffix):
        return Series(self._s.str_endswith(str(suffix)))

    def slice(self, start=None, stop=None):
        return Series(self._s.str_slice(start, stop))

    def replace(self, pat, repl, regex=False):
        if regex:
            raise NotImplementedError("str.replace with regex=True is not supported yet")
        return Series(self._s.str_replace(str(pat), str(repl)))


# ---------------------------------------------------------------------------------------------
# group-by, resample, rolling

_AGGREGATIONS = ("sum", "mean", "count", "min", "max", "first", "last", "nunique")


def _aggregation(name, engine_attribute, result):
    """A method calling the engine object's aggregate(name) and wrapping it in `result`."""
    def method(self, **kwargs):
        _reject(kwargs, name)
        return result(getattr(self, engine_attribute).aggregate(name))
    method.__name__ = name
    return method


def _resample_aggregation(name):
    def method(self):
        if self._frame:
            return DataFrame(self._r.frame(name))
        return Series(self._r.aggregate(name))
    method.__name__ = name
    return method


class GroupBy:
    """df.groupby(...): aggregations return lazy frames; one key becomes the index."""

    def __init__(self, engine, frame, keys=()):
        self._g, self._frame, self._keys = engine, frame, list(keys)

    def __getitem__(self, key):
        if isinstance(key, (list, tuple)):
            return GroupBy(self._g.select([str(k) for k in key]), self._frame, self._keys)
        if len(self._keys) > 1:
            # several keys stay columns (no MultiIndex yet): a frame of keys and the column, as
            # pandas' result after reset_index()
            return GroupBy(self._g.select([str(key)]), self._frame, self._keys)
        return SeriesGroupBy(self._g.column(str(key)))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    sum, mean, count, min, max, first, last, nunique = (_aggregation(n, "_g", DataFrame) for n in _AGGREGATIONS)

    def var(self, ddof=1):
        return DataFrame(self._g.aggregate("var", ddof))

    def std(self, ddof=1):
        return DataFrame(self._g.aggregate("std", ddof))

    def size(self):
        return Series(self._g.size()).rename(None)  # unnamed, as pandas

    def agg(self, arg=None, **named):
        if named:
            return DataFrame(self._g.agg_named([(out, str(col), str(fn)) for out, (col, fn) in named.items()]))
        if isinstance(arg, dict):
            return DataFrame(self._g.agg({str(k): _as_list(v) for k, v in arg.items()}))
        raise NotImplementedError("agg takes {column: function(s)} or named aggregations")

    aggregate = agg

    def apply(self, func, *args, meta=None, **kwargs):
        """func on every whole group (after a shuffle by key). As pandas 3 does, the grouping
        columns are left out of the groups the function sees (pandas 2 passes them)."""
        if PANDAS_MAJOR >= 3 and self._keys:
            user_func, keys = func, self._keys

            def func(group, *a, **k):
                return user_func(group.drop(columns=keys), *a, **k)
        # without meta, the function's result on an empty group (the frame's meta) describes it
        sample = self._frame._meta if meta is None else None
        function, engine_meta, _, _ = _python_function(func, args, kwargs, meta, sample, True, keep_index=True)
        return DataFrame(self._g.apply(function, engine_meta))


class SeriesGroupBy:
    def __init__(self, engine):
        self._g = engine

    sum, mean, count, min, max, first, last, nunique = (_aggregation(n, "_g", Series) for n in _AGGREGATIONS)
    size = _aggregation("size", "_g", Series)

    def var(self, ddof=1):
        return Series(self._g.aggregate("var", ddof))

    def std(self, ddof=1):
        return Series(self._g.aggregate("std", ddof))

    def agg(self, functions):
        if isinstance(functions, str):
            return Series(self._g.aggregate(functions))
        return DataFrame(self._g.agg(_as_list(functions)))

    aggregate = agg


class Resampler:
    def __init__(self, engine, frame):
        self._r, self._frame = engine, frame

    mean, sum, count, size, min, max, first, last, var, std = (
        _resample_aggregation(n) for n in ("mean", "sum", "count", "size", "min", "max", "first", "last", "var", "std"))

    def agg(self, functions):
        if isinstance(functions, str):
            return getattr(self, functions)()
        return DataFrame(self._r.agg(_as_list(functions)))

    aggregate = agg


class Rolling:
    def __init__(self, engine):
        self._r = engine

    mean, sum, count, min, max = (_aggregation(n, "_r", Series) for n in ("mean", "sum", "count", "min", "max"))

    def var(self, ddof=1):
        return Series(self._r.aggregate("var", ddof))

    def std(self, ddof=1):
        return Series(self._r.aggregate("std", ddof))

    def aggregate(self, func):
        """One window function by name ("mean", "sum", "count", "min", "max", "var", "std")."""
        return Series(self._r.aggregate(str(func)))

    agg = aggregate


# ---------------------------------------------------------------------------------------------
# user functions over partitions

def _meta_to_pandas(meta):
    if isinstance(meta, (pd.DataFrame, pd.Series)):
        return meta.iloc[:0]
    if isinstance(meta, dict):
        return pd.DataFrame({k: pd.Series([], dtype=v) for k, v in meta.items()})
    if isinstance(meta, list):
        return pd.DataFrame({k: pd.Series([], dtype=v) for k, v in meta})
    if isinstance(meta, tuple) and len(meta) == 2:
        return pd.Series([], dtype=meta[1], name=meta[0])
    return pd.Series([], dtype=meta)


def _python_function(func, args, kwargs, meta, sample, input_has_index, input_is_series=False, keep_index=False):
    """The engine-side function (Table -> Table) around a pandas function, plus the engine meta,
    whether the result is a Series, and its name.

    Meta is `meta` when given, else the function's result on `sample` (a few real rows, so no
    made-up values reach the function). Series results travel as one-column frames. A partition
    without an index gets none back when the function returns pandas' default RangeIndex."""
    if meta is None:
        if sample is None:
            raise ValueError("meta= is needed here: pass an empty pandas object shaped like the result")
        try:
            meta_pd = func(sample, *args, **kwargs)
        except Exception as error:
            error.add_note(f"while inferring meta by running {getattr(func, '__name__', func)!r} on the first "
                           f"rows; pass meta= to skip inference")
            raise
        if not isinstance(meta_pd, (pd.DataFrame, pd.Series)):
            raise TypeError(f"the function returned {type(meta_pd).__name__}, not a pandas DataFrame or Series")
        meta_pd = meta_pd.iloc[:0]
    else:
        meta_pd = _meta_to_pandas(meta)
    returns_series = isinstance(meta_pd, pd.Series)
    result_name = meta_pd.name if returns_series else None
    column_name = result_name if result_name is not None else "0"

    def to_table(result, keep):
        if isinstance(result, pd.Series):
            if not returns_series:
                raise TypeError("the function returned a Series but meta describes a DataFrame")
            result = result.to_frame(name=column_name)
        elif not isinstance(result, pd.DataFrame):
            raise TypeError(f"the function returned {type(result).__name__}; a pandas DataFrame or Series is needed")
        elif returns_series:
            raise TypeError("the function returned a DataFrame but meta describes a Series")
        return pandas_to_table(result, keep_index=keep)

    # Whether results carry an index is decided once (from the input), so every partition agrees:
    # a frame without one (read_csv) keeps none, since pandas' default RangeIndex is positional.
    keep = keep_index or input_has_index

    prefix = getattr(func, "__name__", "map_partitions").replace("<", "").replace(">", "")

    def function(table):
        frame = table_to_pandas(table, writable=True)  # user code may write into its input
        if input_is_series:
            frame = frame.iloc[:, 0]
        with _profiling.task(prefix):
            result = func(frame, *args, **kwargs)
        return to_table(result, keep)

    return function, to_table(meta_pd, keep), returns_series, result_name


def _default_index(index):
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _map_partitions(collection, func, args, kwargs, meta, name=None):
    is_series = isinstance(collection, Series)
    sample = collection.head(10).copy() if meta is None else None
    frame = collection._frame_engine()
    function, engine_meta, returns_series, result_name = _python_function(
        func, args, kwargs, meta, sample, frame.index_dtype is not None, input_is_series=is_series)
    d = frame.map_partitions(function, engine_meta,
                                                  name or getattr(func, "__name__", "map_partitions"))
    if not returns_series:
        return DataFrame(d)
    series = Series(d.column(d.columns[0]))
    return series if result_name is not None else series.rename(None)


# ---------------------------------------------------------------------------------------------
# sources and combinations

def from_pandas(data, npartitions=None, chunksize=None, sort=True):
    """A pandas DataFrame or Series split into partitions (sorted by index first, as Dask does,
    so divisions are known). Numeric columns are taken without a copy."""
    if not isinstance(data, (pd.DataFrame, pd.Series)):
        raise TypeError(f"from_pandas takes a pandas DataFrame or Series, got {type(data).__name__}")
    if npartitions is None and chunksize is None:
        npartitions = 1
    if chunksize is not None:
        npartitions = max(1, -(-len(data) // int(chunksize)))
    if int(npartitions) < 1:
        raise ValueError(f"npartitions must be at least 1, got {npartitions}")
    table = pandas_to_table(data)
    frame = DataFrame(_core.from_table(table, int(npartitions), bool(sort)))
    if isinstance(data, pd.Series):
        column = frame._d.columns[0]
        series = Series(frame._d.column(column))
        return series if data.name is not None else Series(series._d.rename(""))
    return frame


def from_arrow(data, npartitions=1):
    """Anything speaking the Arrow C stream interface (pyarrow, Polars, DuckDB results), split
    into `npartitions` row ranges; numeric, timestamp and string columns are not copied."""
    return DataFrame(_core.from_table(arrow_to_table(data), int(npartitions), False))


def from_delayed(dfs, meta=None, divisions=None, verify_meta=True):
    """Delayed pandas DataFrames as partitions: computed now (in parallel) and kept in memory."""
    from .. import compute as _compute
    parts = _compute(*dfs)
    tables = [pandas_to_table(p) for p in parts]
    if meta is not None:
        expected = _meta_to_pandas(meta)
        for i, p in enumerate(parts):
            if list(p.columns) != list(expected.columns):
                raise ValueError(f"partition {i} has columns {list(p.columns)}, meta says {list(expected.columns)}")
    engine_divisions = None if divisions is None else [to_engine_scalar(d) for d in divisions]
    return DataFrame(_core.from_tables(tables, engine_divisions))


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
