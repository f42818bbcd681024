"""User pandas functions run on every partition (``map_partitions``, ``apply``, group
``apply``), and the meta describing their results.

A function may return a DataFrame, a Series or any other object; other objects become one row
each, so the result is a Series of objects (one per partition), as in Dask. Object columns
travel through the engine encoded as text (see shape.encode_objects)."""

from __future__ import annotations

import pandas as pd

from .. import _core, _profiling
from .._convert import pandas_to_table, table_to_pandas, table_to_series
from .core import DataFrame, Index, Series
from .shape import Shape, ShapedFrame, ShapedSeries, encode_frame


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


def _object_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if frame[c].dtype == object]


class ResultSpec:
    """What a user function's results look like: a frame, a Series, or one object per call;
    the engine meta; the Series name; the columns holding encoded objects."""

    def __init__(self, meta_pd, per_call_object):
        self.returns_series = isinstance(meta_pd, pd.Series)
        self.per_call_object = per_call_object
        self.name = meta_pd.name if self.returns_series else None
        self.column = str(self.name) if self.name is not None else "0"
        frame = meta_pd.to_frame(name=self.column) if self.returns_series else meta_pd
        self.object_columns = _object_columns(frame)

    def wrap(self, d):
        """The lazy collection over the engine frame `d` of results."""
        objects = set(self.object_columns)
        if not self.returns_series:
            return ShapedFrame(d, Shape(objects=objects)) if objects else DataFrame(d)
        column = d.columns[0]
        if objects:
            return ShapedSeries(d, column, self.name, Shape(objects={column}))
        series = Series(d.column(column))
        return series if self.name is not None else series.rename(None)


def _python_function(func, args, kwargs, meta, sample, input_has_index, input_is_series=False, keep_index=False):
    """The engine-side function (Table -> Table) around a pandas function, plus the engine meta
    and the ResultSpec.

    Meta is `meta` when given, else the function's result on `sample` (a few real rows, so no
    made-up values reach the function). Series results travel as one-column frames; any other
    result as a one-row frame of objects. A partition without an index gets none back."""
    per_call_object = False
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
            meta_pd, per_call_object = pd.Series([], dtype=object), True
        meta_pd = meta_pd.iloc[:0]
    else:
        meta_pd = _meta_to_pandas(meta)
    spec = ResultSpec(meta_pd, per_call_object)

    def to_table(result, keep):
        if isinstance(result, pd.Series):
            if not spec.returns_series:
                raise TypeError("the function returned a Series but meta describes a DataFrame")
            result = result.to_frame(name=spec.column)
        elif isinstance(result, pd.DataFrame):
            if spec.returns_series:
                raise TypeError("the function returned a DataFrame but meta describes a Series")
        elif spec.returns_series:
            # any other object: one row; one label per partition numbers them 0, 1, ... as Dask does
            result, keep = pd.DataFrame({spec.column: pd.Series([result], dtype=object)}), False
        else:
            raise TypeError(f"the function returned {type(result).__name__}; meta describes a DataFrame")
        return pandas_to_table(encode_frame(result, spec.object_columns), keep_index=keep)

    # Whether results carry an index is decided once (from the input), so every partition agrees:
    # a frame without one (read_csv) keeps none, since pandas' default RangeIndex is positional.
    keep = (keep_index or input_has_index) and not per_call_object

    prefix = getattr(func, "__name__", "map_partitions").replace("<", "").replace(">", "")

    def function(table):
        frame = table_to_pandas(table, writable=True)  # user code may write into its input
        if input_is_series:
            frame = frame.iloc[:, 0]
        with _profiling.task(prefix):
            result = func(frame, *args, **kwargs)
        return to_table(result, keep)

    return function, to_table(meta_pd, keep), spec


def _map_partitions(collection, func, args, kwargs, meta, name=None, keep_index=False):
    """`func` on every partition of `collection` (a frame or Series); `keep_index`: results
    keep their pandas index even when the input has none."""
    is_series = isinstance(collection, Series)
    sample = collection.head(10).copy() if meta is None else None
    frame = collection._frame_engine()
    function, engine_meta, spec = _python_function(
        func, args, kwargs, meta, sample, frame.index_dtype is not None, input_is_series=is_series,
        keep_index=keep_index)
    d = frame.map_partitions(function, engine_meta, name or getattr(func, "__name__", "map_partitions"))
    result = spec.wrap(d)
    if not keep_index:
        object.__setattr__(result, "_recipe", derived_recipe(collection, lambda part: func(part, *args, **kwargs)))
    return result


# ---------------------------------------------------------------------------------------------
# Collections computed partition by partition from one frame's partitions (see _Collection._recipe)

def recipe_of(collection):
    """(root engine frame, function from a root partition to this collection's partition), or
    None when unknown. A frame is its own root."""
    if collection._recipe is not None:
        return collection._recipe
    if isinstance(collection, DataFrame):
        return (collection._d, lambda partition: partition)
    return None


def derived_recipe(collection, step):
    """The recipe of `step` applied to `collection`'s partitions."""
    recipe = recipe_of(collection)
    if recipe is None:
        return None
    root, function = recipe
    return (root, lambda partition: step(function(partition)))


def _shared_root(*recipes):
    roots = {id(r[0]) for r in recipes if r is not None}
    if any(r is None for r in recipes) or len(roots) != 1:
        return None
    return recipes[0][0]


def _on_root(root, run, meta, name):
    result = _map_partitions(DataFrame(root), run, (), {}, meta, name=name)
    object.__setattr__(result, "_recipe", (root, run))
    return result


def binary_partitionwise(op, lhs, rhs, recipe_only=False):
    """op(lhs, rhs) for Series of one frame's partitions (either may be a constant): the
    result's recipe, or with recipe_only False the computed Series; None when they do not
    share a frame."""
    recipes = [recipe_of(x) if isinstance(x, Series) else None for x in (lhs, rhs)]
    lazy = [isinstance(x, Series) for x in (lhs, rhs)]
    root = _shared_root(*[r for r, is_lazy in zip(recipes, lazy) if is_lazy])
    if root is None:
        return None

    def value(side, partition):
        return recipes[side][1](partition) if lazy[side] else (lhs, rhs)[side]

    def run(partition):
        return op(value(0, partition), value(1, partition))
    if recipe_only:
        return (root, run)
    meta = op(*[x._meta if is_lazy else x for x, is_lazy in zip((lhs, rhs), lazy)])
    return _on_root(root, run, meta, getattr(op, "__name__", "binary"))


def assign_partitionwise(frame, name, value):
    """frame[name] = value computed partition by partition, when value comes from the same
    frame's partitions, or has the rows of partitions like the frame's (a shift or cumulative
    sum of its column: equal partition counts and divisions); None otherwise."""
    if not isinstance(value, Series):
        return None
    if getattr(value, "_same_rows", False) and value.npartitions == frame.npartitions \
            and value.divisions == frame.divisions:
        labelled = frame._frame_engine().index_dtype is not None

        def put(i, part, values):
            if labelled:
                return part.assign(**{name: values})  # pandas lines the labels up
            if len(values) != len(part):
                raise ValueError(f"cannot assign column {name!r}: partition {i} of the frame has {len(part)} rows and "
                                 f"the value's has {len(values)}; the value comes from other rows (a filtered frame?)")
            return part.assign(**{name: values.to_numpy()})
        return zip_partitions(put, [frame, value], meta=frame._meta.assign(**{name: value._meta.to_numpy()}),
                              name="assign", keep_divisions=True, with_partition=True)
    target, source = recipe_of(frame), recipe_of(value)
    root = _shared_root(target, source)
    if root is None:
        return None
    make_frame, make_value = target[1], source[1]

    def run(partition):
        return make_frame(partition).assign(**{name: make_value(partition)})
    meta = frame._meta.assign(**{name: value._meta})
    return _on_root(root, run, meta, "assign")


def combine_partitionwise(series, func, name):
    """func(*partitions) over Series of one frame, partition by partition: the engine lines
    them up as columns of one frame first (or they share a frame's partitions)."""
    columns = [f"\x1f{i}" for i in range(len(series))]
    names = [s.name for s in series]

    def run(partition):
        return func(*[partition[c].rename(n) for c, n in zip(columns, names)])
    try:
        frame = series[0].to_frame(name=columns[0])
        for column, other in zip(columns[1:], series[1:]):
            frame[column] = other
    except ValueError:
        recipes = [recipe_of(s) for s in series]
        root = _shared_root(*recipes)
        if root is None:
            raise

        def from_root(partition):
            return func(*[r[1](partition) for r in recipes])
        meta = func(*[s._meta for s in series])
        return _on_root(root, from_root, meta, name)
    return _map_partitions(frame, run, (), {}, None, name=name)


# ---------------------------------------------------------------------------------------------
# Functions over the i-th partitions of several collections (the engine's zip_partitions)

def _to_pandas_partition(collection, table):
    """A partition of `collection` as pandas shapes it (a group-by result's MultiIndex, objects)."""
    if isinstance(collection, Index):
        return table_to_series(table, collection.name)
    return collection._to_pandas(table)


def zip_partitions(func, collections, meta=None, broadcast=(), name="zip-partitions", keep_index=None,
                   keep_divisions=False, with_partition=False, same_rows=False):
    """func(*partitions) (func(i, *partitions) with `with_partition`) over the i-th partitions
    of `collections` (frames or Series with equal partition counts; those whose positions are
    in `broadcast` have one partition, given to every call). Meta is func on the collections'
    empty metas unless given. `keep_index`: whether results keep their pandas index; by default
    when the first collection has one (without, pandas' positional RangeIndex is not kept).
    `same_rows`: every result partition has the rows of the first collection's partition (shift,
    cumulative ops), so it can be assigned to that collection's frame partition by partition."""
    collections = list(collections)
    if keep_index is None:
        keep_index = collections[0]._frame_engine().index_dtype is not None
    if meta is None:
        metas = [c._meta for c in collections]
        meta_pd = func(0, *metas) if with_partition else func(*metas)
    else:
        meta_pd = _meta_to_pandas(meta)
    meta_pd = meta_pd.iloc[:0]
    spec = ResultSpec(meta_pd, False)

    meta_frame = meta_pd.to_frame(name=spec.column) if isinstance(meta_pd, pd.Series) else meta_pd
    # a MultiIndex (group-by results of several keys) travels as columns, restored by a Shape
    index_names = list(meta_pd.index.names) if isinstance(meta_pd.index, pd.MultiIndex) else None
    levels = [f"\x1flevel{k}" for k in range(len(index_names))] if index_names else None

    def to_table(result):
        if isinstance(result, pd.Series):
            result = result.to_frame(name=spec.column)
        result = _with_meta_integers(result, meta_frame)
        if levels:
            result = result.rename_axis(levels).reset_index()
        return pandas_to_table(encode_frame(result, spec.object_columns), keep_index=keep_index and not levels)

    prefix = name

    def function(partition, tables):
        parts = [_to_pandas_partition(c, t) for c, t in zip(collections, tables)]
        with _profiling.task(prefix):
            result = func(partition, *parts) if with_partition else func(*parts)
        return to_table(result)

    flags = [i in broadcast for i in range(len(collections))]
    d = _core.zip_partitions([c._frame_engine() for c in collections], flags, function, to_table(meta_pd), name,
                             keep_divisions)
    if levels:
        shape = Shape(levels, index_names, objects=spec.object_columns)
        result = ShapedSeries(d, spec.column, spec.name, shape) if spec.returns_series else ShapedFrame(d, shape)
    else:
        result = spec.wrap(d)
    if same_rows:
        object.__setattr__(result, "_same_rows", True)
    return result


def _with_meta_integers(frame, meta):
    """`frame` with integer columns that alignment filled with NaN (float in pandas) as nullable
    integers, which the engine holds as int64 with missing values, as `meta` declares: results
    then reach pandas as int64 when nothing is missing and as float64 otherwise, as pandas gives
    them for the whole data."""
    for column in frame.columns:
        if column in meta.columns and meta[column].dtype.kind in "iu" and frame[column].dtype.kind == "f":
            try:
                frame = frame.assign(**{column: frame[column].astype("Int64")})
            except (TypeError, ValueError):
                pass  # fractional values: the meta check names the column
    return frame


def _describe(collection):
    return f"{type(collection).__name__} {collection.name!r}" if isinstance(collection, Series) else "DataFrame"


def align_partitionwise(func, *operands, name="align"):
    """func(*operands) computed partition by partition with pandas' index alignment inside each
    partition, as Dask aligns collections: when they have one partition each or the same known
    divisions; with other known divisions, after repartitioning all to their union; with
    unknown divisions, when the partition counts agree. Operands that are not lazy collections
    are passed as they are. ValueError naming the collections otherwise."""
    lazy = [i for i, x in enumerate(operands) if isinstance(x, (Series, DataFrame))]
    collections = [operands[i] for i in lazy]
    counts = {c.npartitions for c in collections}
    if len(counts) > 1 or not all(c.npartitions == 1 for c in collections):
        if all(c.known_divisions for c in collections):
            if len({tuple(c.divisions) for c in collections}) > 1:
                union = sorted(set().union(*[c.divisions for c in collections]))
                collections = [_repartitioned(c, union) for c in collections]
        elif len(counts) > 1:
            raise ValueError(
                f"cannot align {' and '.join(_describe(c) for c in collections)}: they have "
                f"{' and '.join(str(c.npartitions) for c in collections)} partitions and unknown divisions; "
                f"set_index(...) on both, or repartition(npartitions=1) each, to align them")

    def run(*parts):
        values = list(operands)
        for i, part in zip(lazy, parts):
            values[i] = part
        return func(*values)
    keep = all(c.known_divisions for c in collections)
    return zip_partitions(run, collections, name=name, keep_divisions=keep)


def _repartitioned(collection, divisions):
    if isinstance(collection, Series):
        return collection._from_frame(collection.to_frame().repartition(divisions=divisions))
    return collection.repartition(divisions=divisions)
