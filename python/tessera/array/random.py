"""Random arrays whose values depend on the seed and the shape only, never on the chunking.

The array is cut into fixed tiles (a grid decided by the shape alone: edges of about 65536
elements along one axis, 256 in two dimensions, 32 in three, 16 beyond, preferring a divisor of
the axis length so that round chunk sizes hold whole tiles). Tile t of the d-th draw of a
generator is filled by NumPy's ``Generator(SFC64(SeedSequence(seed, spawn_key=(d, t))))``:
SeedSequence's spawn keys give independent streams per tile (NumPy's recommended way to seed
parallel streams), and SFC64 is NumPy's fastest bit generator. A block generates the tiles it
overlaps and keeps its part, so ``x.rechunk(...)`` and a differently chunked array of the same
seed hold the same numbers. The values differ from NumPy's own ``default_rng(seed)`` (which draws
one sequence for the whole array) and from Dask's (which depend on the chunks)."""

from __future__ import annotations

import functools
import itertools
import numbers
import secrets

import numpy as np

from .chunks import normalize_chunks
from .core import Array, _block_slices, tokenize

__all__ = ["default_rng", "Generator", "RandomState", "seed", "random", "random_sample", "normal", "randint",
           "uniform", "standard_normal", "integers", "exponential", "poisson", "binomial", "choice", "sample"]

_EDGES = {1: 1 << 16, 2: 256, 3: 32}


@functools.lru_cache(maxsize=256)
def _tile_shape(shape):
    """Tile edges per axis: the axis itself when short, else the largest divisor of its length
    between half the target edge and the edge (10000 -> 250, so blocks of 1000 or 2500 hold
    whole tiles), else the target edge."""
    target = _EDGES.get(len(shape), 16)
    out = []
    for s in shape:
        if s <= target:
            out.append(max(1, s))
            continue
        out.append(next((d for d in range(target, target // 2, -1) if s % d == 0), target))
    return tuple(out)


class _Block:
    """Fills one block from the tiles it overlaps."""

    def __init__(self, key, method, args, kwargs, shape, dtype):
        self.key, self.method, self.args, self.kwargs = key, method, args, kwargs
        self.shape, self.dtype = shape, dtype
        self.__name__ = method

    def __call__(self, bounds):
        tile = _tile_shape(self.shape)
        out = np.empty(tuple(hi - lo for lo, hi in bounds), dtype=self.dtype)
        if out.size == 0:
            return out
        ranges = [range(lo // t, (hi - 1) // t + 1) for (lo, hi), t in zip(bounds, tile)]
        grid = [-(-s // t) for s, t in zip(self.shape, tile)]
        for tidx in itertools.product(*ranges):
            number = 0
            for i, g in zip(tidx, grid):
                number = number * g + i
            tlo = [i * t for i, t in zip(tidx, tile)]
            thi = [min(lo + t, s) for lo, t, s in zip(tlo, tile, self.shape)]
            entropy, draw = self.key
            gen = np.random.Generator(np.random.SFC64(np.random.SeedSequence(entropy, spawn_key=(draw, number))))
            values = getattr(gen, self.method)(*self.args, size=tuple(h - l for l, h in zip(tlo, thi)), **self.kwargs)
            src, dst = [], []
            for (blo, bhi), l, h in zip(bounds, tlo, thi):
                a, b = max(blo, l), min(bhi, h)
                src.append(slice(a - l, b - l))
                dst.append(slice(a - blo, b - blo))
            out[tuple(dst)] = values[tuple(src)]
        return out


def _draw(key, method, args, kwargs, size, chunks, dtype, name):
    if size is None:
        size = ()
    if isinstance(size, numbers.Integral):
        size = (size,)
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise ValueError(f"negative dimensions are not allowed: size={shape}")
    dtype = np.dtype(dtype)
    chunks = normalize_chunks(chunks, shape, dtype=dtype)
    fill = _Block(key, method, args, kwargs, shape, dtype)
    token = tokenize(key, method, args, kwargs, shape, chunks, dtype)
    out = f"{name}-{token}"
    slices = _block_slices(chunks)
    layer = {}
    for idx in itertools.product(*(range(len(c)) for c in chunks)):
        layer[(out, *idx)] = (fill, tuple(slices[a][i] for a, i in enumerate(idx)))
    if not shape:
        layer = {(out,): (fill, ())}
    return Array({out: layer}, out, chunks, dtype)


def _scalar_params(name, **params):
    for k, v in params.items():
        if isinstance(v, (Array, np.ndarray)) and np.ndim(v) > 0:
            raise NotImplementedError(f"{name}: array-valued {k}= is not supported; pass a scalar")


class Generator:
    """dask.array.random.Generator: NumPy Generator methods drawing chunked arrays."""

    def __init__(self, seed=None):
        if isinstance(seed, Generator):
            seed = seed._entropy
        if isinstance(seed, (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)):
            raise TypeError("default_rng takes an integer seed (or a sequence of them) or None")
        self._entropy = secrets.randbits(128) if seed is None else seed
        self._draws = 0

    def _key(self):
        """(seed entropy, draw number): what the tiles of the next draw are seeded from."""
        key = (self._entropy, self._draws)
        self._draws += 1
        return key

    def random(self, size=None, dtype=np.float64, chunks="auto", out=None):
        if np.dtype(dtype) not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise TypeError(f"random() supports float64 and float32, not {np.dtype(dtype)}")
        return _draw(self._key(), "random", (), {"dtype": np.dtype(dtype)}, size, chunks, dtype, "random")

    def normal(self, loc=0.0, scale=1.0, size=None, chunks="auto"):
        _scalar_params("normal", loc=loc, scale=scale)
        return _draw(self._key(), "normal", (loc, scale), {}, size, chunks, np.float64, "normal")

    def standard_normal(self, size=None, dtype=np.float64, chunks="auto"):
        return _draw(self._key(), "standard_normal", (), {"dtype": np.dtype(dtype)}, size, chunks, dtype,
                     "standard_normal")

    def uniform(self, low=0.0, high=1.0, size=None, chunks="auto"):
        _scalar_params("uniform", low=low, high=high)
        return _draw(self._key(), "uniform", (low, high), {}, size, chunks, np.float64, "uniform")

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False, chunks="auto"):
        _scalar_params("integers", low=low, high=high)
        if high is None:
            low, high = 0, low
        if (high if not endpoint else high + 1) <= low:
            raise ValueError(f"integers: low={low} must be below high={high}")
        return _draw(self._key(), "integers", (low, high), {"dtype": np.dtype(dtype), "endpoint": endpoint}, size,
                     chunks, dtype, "integers")

    def exponential(self, scale=1.0, size=None, chunks="auto"):
        return _draw(self._key(), "exponential", (scale,), {}, size, chunks, np.float64, "exponential")

    def poisson(self, lam=1.0, size=None, chunks="auto"):
        return _draw(self._key(), "poisson", (lam,), {}, size, chunks, np.int64, "poisson")

    def binomial(self, n, p, size=None, chunks="auto"):
        return _draw(self._key(), "binomial", (n, p), {}, size, chunks, np.int64, "binomial")

    def choice(self, a, size=None, replace=True, p=None, chunks="auto"):
        return _choice(self, a, size, replace, p, chunks)


def _choice(rng, a, size, replace, p, chunks):
    if not replace:
        raise NotImplementedError("choice(replace=False) is not supported on chunked arrays")
    values = np.arange(a) if isinstance(a, numbers.Integral) else np.asarray(a.compute() if isinstance(a, Array) else a)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError("choice needs a positive int or a non-empty 1-D array")
    if p is None:
        positions = rng.integers(0, len(values), size=size, chunks=chunks) if isinstance(rng, Generator) else \
            rng.randint(0, len(values), size=size, chunks=chunks)
    else:
        p = np.asarray(p, dtype=float)
        if p.shape != values.shape or not np.isclose(p.sum(), 1.0):
            raise ValueError("p must be 1-D probabilities of a's length adding up to 1")
        cdf = np.cumsum(p)
        u = rng.random(size=size, chunks=chunks) if isinstance(rng, Generator) else rng.random_sample(size, chunks)
        positions = u.map_blocks(lambda b: np.minimum(np.searchsorted(cdf, b, side="right"), len(cdf) - 1),
                                 dtype=np.intp, name="choice-positions")
    return positions.map_blocks(lambda b: values[b], dtype=values.dtype, name="choice")


def default_rng(seed=None):
    """A chunk-independent Generator (see the module's note on how values are laid out)."""
    return Generator(seed)


class RandomState:
    """dask.array.random.RandomState: the legacy spellings over the same tiled generator."""

    def __init__(self, seed=None):
        self._gen = Generator(seed)

    def seed(self, seed=None):
        self._gen = Generator(seed)

    def random_sample(self, size=None, chunks="auto", **kwargs):
        out = self._gen.random(size, chunks=chunks)
        return _renamed(out, "random_sample")

    random = random_sample

    def normal(self, loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
        return self._gen.normal(loc, scale, size, chunks=chunks)

    def standard_normal(self, size=None, chunks="auto", **kwargs):
        return self._gen.standard_normal(size, chunks=chunks)

    def uniform(self, low=0.0, high=1.0, size=None, chunks="auto", **kwargs):
        return self._gen.uniform(low, high, size, chunks=chunks)

    def randint(self, low, high=None, size=None, chunks="auto", dtype=int, **kwargs):
        return _renamed(self._gen.integers(low, high, size, dtype=dtype, chunks=chunks), "randint")

    def random_integers(self, low, high=None, size=None, chunks="auto", **kwargs):
        if high is None:
            low, high = 1, low
        return self._gen.integers(low, high, size, endpoint=True, chunks=chunks)

    def exponential(self, scale=1.0, size=None, chunks="auto", **kwargs):
        return self._gen.exponential(scale, size, chunks=chunks)

    def poisson(self, lam=1.0, size=None, chunks="auto", **kwargs):
        return self._gen.poisson(lam, size, chunks=chunks)

    def binomial(self, n, p, size=None, chunks="auto", **kwargs):
        return self._gen.binomial(n, p, size, chunks=chunks)

    def choice(self, a, size=None, replace=True, p=None, chunks="auto"):
        return _choice(self, a, size, replace, p, chunks)


def _renamed(x, prefix):
    """The same array under a Dask-style prefix (random_sample-..., randint-...)."""
    token = x.name.rsplit("-", 1)[1]
    name = f"{prefix}-{token}"
    layer = {(name, *k[1:]): v for k, v in x._layers[x.name].items()}
    return Array({name: layer}, name, x.chunks, x.dtype)


_state = RandomState()


def seed(seed=None):
    """Seeds the module-level RandomState (da.random.random & co.)."""
    _state.seed(seed)


def random(size=None, chunks="auto", **kwargs):
    return _state.random_sample(size, chunks=chunks)


random_sample = sample = random


def normal(loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
    return _state.normal(loc, scale, size, chunks=chunks)


def standard_normal(size=None, chunks="auto", **kwargs):
    return _state.standard_normal(size, chunks=chunks)


def uniform(low=0.0, high=1.0, size=None, chunks="auto", **kwargs):
    return _state.uniform(low, high, size, chunks=chunks)


def randint(low, high=None, size=None, chunks="auto", dtype=int, **kwargs):
    return _state.randint(low, high, size, chunks=chunks, dtype=dtype)


def integers(low, high=None, size=None, chunks="auto", **kwargs):
    return _state._gen.integers(low, high, size, chunks=chunks)


def exponential(scale=1.0, size=None, chunks="auto", **kwargs):
    return _state.exponential(scale, size, chunks=chunks)


def poisson(lam=1.0, size=None, chunks="auto", **kwargs):
    return _state.poisson(lam, size, chunks=chunks)


def binomial(n, p, size=None, chunks="auto", **kwargs):
    return _state.binomial(n, p, size, chunks=chunks)


def choice(a, size=None, replace=True, p=None, chunks="auto"):
    return _state.choice(a, size, replace, p, chunks)
