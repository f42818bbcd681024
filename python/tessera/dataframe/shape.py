"""Results whose pandas shape the engine's flat tables cannot hold: a MultiIndex made of several
key columns, MultiIndex columns, and columns of arbitrary Python objects (a fitted model per
group, ``type`` per partition).

The engine computes a flat table (index levels as ordinary columns, objects pickled into text);
a ``Shape`` turns it into the pandas object pandas would give. ``ShapedFrame`` and
``ShapedSeries`` are the lazy collections carrying one: ``compute``, ``persist``, ``head``,
``tail``, column selection and ``reset_index`` keep the shape; other lazy operations work on the
flat data (the index levels as plain columns)."""

from __future__ import annotations

import functools

import base64
import html
import itertools
import pickle

import numpy as np
import pandas as pd

from .. import _scheduler
from .._convert import table_to_pandas
from .core import DataFrame, Series, _end_rows

# Marks a text value that holds a pickled object; text values without it stay text.
_OBJECT_MARK = "\x00tessera-object:"
# Marks the number of an object pickle cannot write (a class defined in a function, a lock):
# the engine runs in this process, so the object is kept here, for the life of the process.
_KEPT_MARK = "\x00tessera-kept:"
_kept_objects = {}
_kept_numbers = itertools.count()


def encode_objects(values) -> list:
    """Values of an object column as text the engine carries: strings (and missing values) as
    they are, anything else pickled behind a mark."""
    out = []
    for value in values:
        if value is None or isinstance(value, str) or (isinstance(value, float) and np.isnan(value)):
            out.append(value)
        else:
            try:
                out.append(_OBJECT_MARK + base64.b64encode(pickle.dumps(value, protocol=5)).decode("ascii"))
            except (pickle.PicklingError, AttributeError, TypeError):
                number = str(next(_kept_numbers))
                _kept_objects[number] = value
                out.append(_KEPT_MARK + number)
    return out


def decode_objects(values) -> np.ndarray:
    """The inverse of encode_objects: an object array of the original values."""
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        if isinstance(value, str) and value.startswith(_OBJECT_MARK):
            value = pickle.loads(base64.b64decode(value[len(_OBJECT_MARK):]))
        elif isinstance(value, str) and value.startswith(_KEPT_MARK):
            value = _kept_objects[value[len(_KEPT_MARK):]]
        elif value is pd.NA:
            value = None
        out[i] = value
    return out


def encode_frame(frame: pd.DataFrame, object_columns) -> pd.DataFrame:
    """`frame` with its object columns ready for the engine (see encode_objects)."""
    if not object_columns:
        return frame
    frame = frame.copy(deep=False)
    for column in object_columns:
        frame[column] = pd.Series(encode_objects(frame[column].tolist()), index=frame.index, dtype=object)
    return frame


class Shape:
    """How a flat engine table becomes the pandas object.

    index: engine columns that become the index levels (a MultiIndex when there are several),
    named index_names; columns: {engine column: pandas label} (tuples give MultiIndex columns);
    objects: engine columns holding encoded objects (see encode_objects); freq: the frequency of
    a regular DatetimeIndex (resample results)."""

    def __init__(self, index=(), index_names=None, columns=None, objects=(), freq=None, sort_index=False):
        self.index = tuple(index)
        self.index_names = tuple(index_names) if index_names is not None else self.index
        self.columns = dict(columns) if columns else None
        self.objects = frozenset(objects)
        self.freq = freq
        self.sort_index = sort_index

    def replace(self, **changes):
        fields = dict(index=self.index, index_names=self.index_names, columns=self.columns, objects=self.objects,
                      freq=self.freq, sort_index=self.sort_index)
        fields.update(changes)
        return Shape(**fields)

    def to_pandas(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.objects:
            frame = frame.copy(deep=False)
            for column in self.objects:
                if column in frame.columns:
                    frame[column] = decode_objects(frame[column].tolist())
        if self.index:
            frame = frame.set_index(list(self.index))
            frame.index.names = list(self.index_names)
            if self.sort_index:
                frame = frame.sort_index(kind="stable")
        if self.columns:
            labels = [self.columns.get(c, c) for c in frame.columns]
            if labels and all(isinstance(label, tuple) for label in labels):
                frame.columns = pd.MultiIndex.from_tuples(labels)
            else:
                frame.columns = labels
        if self.freq is not None and isinstance(frame.index, pd.DatetimeIndex):
            frame.index = pd.DatetimeIndex(frame.index, freq=self.freq)
        return frame

    def value_columns(self, engine_columns) -> list:
        return [c for c in engine_columns if c not in self.index]

    def without_index(self):
        """The shape after reset_index(): the index levels become leading columns."""
        labels = dict(self.columns or {})
        width = max((len(label) for label in labels.values() if isinstance(label, tuple)), default=0)
        for column, name in zip(self.index, self.index_names):
            labels[column] = (name,) + ("",) * (width - 1) if width else name
        return self.replace(index=(), index_names=None, columns=labels)


def _structure(collection, meta: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Dask's "Structure" table for a shaped collection: pandas' column labels and dtypes, one
    row per division."""
    n = collection.npartitions
    labels = [("" if v is None else str(v)) for v in collection.divisions] if collection.known_divisions \
        else [""] * (n + 1)
    if len(labels) > 6:
        labels = labels[:2] + ["..."] + labels[-2:]
    rows = [[str(t) for t in meta.dtypes]] + [["..."] * meta.shape[1] for _ in labels[1:]]
    return pd.DataFrame(rows, columns=meta.columns, index=pd.Index(labels, name=f"npartitions={n}"))


def _structure_text(collection, meta, kind):
    name = repr(collection._frame_engine()).splitlines()[-1]
    return f"tessera {kind} Structure:\n{_structure(collection, meta, kind)!r}\n{name}"


def _structure_html(collection, meta, kind):
    name = html.escape(repr(collection._frame_engine()).splitlines()[-1])
    return (f"<div><strong>tessera {kind} Structure:</strong></div>{_structure(collection, meta, kind).to_html()}"
            f"<div>{name}</div>")


def _shaped_frame(shape, convert, table):
    return shape.to_pandas(convert(table))


def _shaped_column(shape, column, name, table):
    return shape.to_pandas(table_to_pandas(table))[column].rename(name)


class ShapedFrame(DataFrame):
    """A lazy frame computed flat by the engine and shaped by a `Shape` on the way to pandas."""

    def __init__(self, engine, shape: Shape):
        super().__init__(engine)
        object.__setattr__(self, "_shape", shape)

    def _converter(self):
        return functools.partial(_shaped_frame, self._shape, super()._converter())

    def _rewrap(self, engine):
        return ShapedFrame(engine, self._shape)

    def persist(self, **kwargs):
        if _scheduler.cluster() is not None:
            return super().persist()
        return ShapedFrame(self._d.persist(_scheduler.current()), self._shape)

    def head(self, n=5, npartitions=-1, compute=True):
        return self._shape.to_pandas(super().head(n, npartitions, compute))

    def tail(self, n=5, compute=True):
        return self._shape.to_pandas(super().tail(n, compute))

    @property
    def _meta(self):
        return self._shape.to_pandas(super()._meta)

    @property
    def columns(self):
        return self._meta.columns

    @property
    def dtypes(self):
        return self._meta.dtypes

    def __repr__(self):
        return _structure_text(self, self._meta, "DataFrame")

    def _repr_html_(self):
        return _structure_html(self, self._meta, "DataFrame")

    @property
    def index(self):
        raise NotImplementedError("the lazy index of a MultiIndex result is not supported; use reset_index()")

    def __getattr__(self, name):
        if not name.startswith("_") and name in self.columns:
            return self[name]
        return super().__getattr__(name)

    def __getitem__(self, key):
        if isinstance(key, Series):
            return ShapedFrame(self._d.filter(key._s), self._shape)
        shape = self._shape
        if not shape.index and not shape.columns:
            names = [str(k) for k in key] if isinstance(key, (list, pd.Index)) else [str(key)]
            if not shape.objects & set(names):
                return DataFrame.__getitem__(self, key)  # plain columns: plain collections
        labels = shape.columns or {c: c for c in shape.value_columns(self._d.columns)}
        if isinstance(key, (list, pd.Index)):
            selected = [c for k in key for c in self._matching(labels, k)]
            columns = {c: labels[c] for c in selected} if shape.columns else None
            return self._select(selected, columns)
        selected = self._matching(labels, key)
        if shape.columns and not isinstance(key, tuple) and any(isinstance(label, tuple) for label in labels.values()):
            # a top-level label of MultiIndex columns: a frame of the labels below it
            columns = {c: (labels[c][1:] if len(labels[c]) > 2 else labels[c][1]) for c in selected}
            return self._select(selected, columns)
        (column,) = selected
        d = self._d.select(list(shape.index) + [column])
        series = ShapedSeries(d, column, key, shape.replace(columns=None, objects=shape.objects & {column}))
        if not shape.index and not shape.columns:
            from .partition_functions import derived_recipe
            series._recipe = derived_recipe(self, lambda partition: partition[column])
        return series

    def _matching(self, labels, key):
        found = [c for c, label in labels.items()
                 if label == key or (isinstance(label, tuple) and not isinstance(key, tuple) and label[0] == key)]
        if not found:
            raise KeyError(f"column {key!r} is not in the frame; its columns are {list(self.columns)}")
        return found

    def _select(self, engine_columns, columns):
        shape = self._shape
        keep = list(shape.index) + engine_columns
        return ShapedFrame(self._d.select(keep), shape.replace(columns=columns, objects=shape.objects & set(keep)))

    def reset_index(self, drop=False):
        if drop:
            return ShapedFrame(self._d.drop(list(self._shape.index)), self._shape.replace(index=(), index_names=None))
        return ShapedFrame(self._d, self._shape.without_index())


class ShapedSeries(Series):
    """A lazy Series whose values are one column of a flat engine frame that also holds its
    index levels (or whose values are encoded objects)."""

    def __init__(self, frame_engine, column, name, shape: Shape):
        super().__init__(frame_engine.column(column))
        self._frame_d, self._column, self._name, self._shape = frame_engine, column, name, shape

    def _graph_leaves(self):
        return [self._frame_d]

    def _frame_engine(self):
        return self._frame_d

    def explain(self) -> str:
        return self._frame_d.explain()

    def __repr__(self):
        return _structure_text(self, self._meta.to_frame(name=self._name if self._name is not None else ""), "Series")

    def _repr_html_(self):
        return _structure_html(self, self._meta.to_frame(name=self._name if self._name is not None else ""), "Series")

    def _converter(self):
        return functools.partial(_shaped_column, self._shape, self._column, self._name)

    def _rewrap(self, frame_engine):
        return ShapedSeries(frame_engine, self._column, self._name, self._shape)

    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return self._meta.dtype

    @property
    def _meta(self):
        return self._to_pandas(self._frame_d.meta())

    def compute(self, **kwargs):
        if _scheduler.cluster() is not None:
            return super().compute()
        return self._to_pandas(self._frame_d.compute(_scheduler.current()))

    def persist(self, **kwargs):
        if _scheduler.cluster() is not None:
            return super().persist()
        return ShapedSeries(self._frame_d.persist(_scheduler.current()), self._column, self._name, self._shape)

    def head(self, n=5, compute=True):
        return self._to_pandas(_end_rows(self._frame_d, n))

    def tail(self, n=5, compute=True):
        return self._to_pandas(_end_rows(self._frame_d, n, last=True))

    def rename(self, name):
        return ShapedSeries(self._frame_d, self._column, name, self._shape)

    def to_frame(self, name=None):
        name = self._name if name is None else name
        label = name if name is not None else 0
        d = self._frame_d.select(list(self._shape.index) + [self._column])
        return ShapedFrame(d, self._shape.replace(columns={self._column: label},
                                                  objects=self._shape.objects & {self._column}))

    def reset_index(self, drop=False):
        if drop:
            return ShapedSeries(self._frame_d.select([self._column]), self._column, self._name,
                                self._shape.replace(index=(), index_names=None))
        return self.to_frame().reset_index()

    # -- operations that keep the rows' index labels -----------------------------------------------
    def _same_rows(self, result, name):
        """`result` (one value per row of this Series) with this Series' index levels."""
        if not isinstance(result, Series) or isinstance(result, ShapedSeries):
            return result
        frame = self._frame_d.assign(self._column, result._s)
        return ShapedSeries(frame, self._column, name, self._shape.replace(objects=self._shape.objects - {self._column}))

    def _rows(self, frame_engine):
        """This Series over a subset or reordering of its frame's rows."""
        return ShapedSeries(frame_engine, self._column, self._name, self._shape)

    def __getitem__(self, key):
        if isinstance(key, Series):
            return self._rows(self._frame_d.filter(key._s))
        return super().__getitem__(key)

    def dropna(self):
        return self[self.notnull()]

    def nlargest(self, n=5):
        return self._rows(self._frame_d.nlargest(n, self._column))

    def nsmallest(self, n=5):
        return self._rows(self._frame_d.nsmallest(n, self._column))

    def sort_values(self, ascending=True, na_position="last", **kwargs):
        if kwargs or na_position != "last":
            raise NotImplementedError("sort_values of a group-by result takes ascending= only")
        return self._rows(self._frame_d.sort_values([self._column], [bool(ascending)], _scheduler.current()))


def _keeping_rows(method_name):
    plain = getattr(Series, method_name)

    def method(self, *args, **kwargs):
        result = plain(self, *args, **kwargs)
        other = args[0] if args else None
        # pandas keeps the name unless a Series of another name takes part
        name = None if isinstance(other, Series) and other.name != self._name else self._name
        return self._same_rows(result, name)
    method.__name__ = method_name
    return method


# Series methods whose result has one value per row: the shaped result keeps the index levels.
for _method_name in ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
                     "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__",
                     "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__and__", "__or__", "__xor__",
                     "__neg__", "__invert__", "add", "sub", "mul", "div", "truediv", "floordiv", "mod", "pow",
                     "eq", "ne", "lt", "le", "gt", "ge", "abs", "round", "astype", "fillna", "where", "mask", "between",
                     "isin", "isnull", "isna", "notnull", "notna", "clip"]:
    if hasattr(Series, _method_name):
        setattr(ShapedSeries, _method_name, _keeping_rows(_method_name))
del _method_name


def shaped_series(series: Series, shape: Shape) -> ShapedSeries:
    """An engine-backed Series with `shape` applied on the way to pandas."""
    frame = series._d.to_frame()
    return ShapedSeries(frame, frame.columns[0], series.name, shape)
