"""The scheduler computations run on: the process default (every core, half of RAM before
spilling), or the one the most recent ``Client`` made, as Dask's default-client rule."""

from __future__ import annotations

from . import _core

_current = None


def current():
    """The handle computations use now (None = the engine's default scheduler)."""
    return _current


def set_current(handle):
    global _current
    previous, _current = _current, handle
    return previous
