#!/usr/bin/env bash
# Creates a virtual environment (build/venv, or $TESSERA_VENV) with current numpy, pandas
# ($TESSERA_PANDAS, default the newest) and pyarrow from PyPI plus the build and test tools,
# builds tessera's wheel with pip (into build/wheels) and installs it, as a user would.
# Idempotent: a second run only rebuilds what changed. Arguments go to the wheel build (e.g.
# -C cmake.define.TESSERA_WERROR=ON, as `make test` builds).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${TESSERA_VENV:-build/venv}
pandas=${TESSERA_PANDAS:-pandas>=2.2}
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
fi
# Build tools are installed into the environment so pip builds without fetching them again.
"$venv/bin/pip" install -q "numpy>=2" "$pandas" "pyarrow>=15" "scikit-build-core>=0.10" "nanobind>=2.4" \
  pytest hypothesis nbclient nbformat ipykernel matplotlib polars duckdb graphviz \
  distributed "dask[dataframe]" bokeh cloudpickle scikit-learn scipy joblib zarr xarray "moto[server]"
rm -rf build/wheels
"$venv/bin/pip" wheel -q --no-build-isolation --no-deps -w build/wheels "$@" .
"$venv/bin/pip" install -q --force-reinstall --no-deps build/wheels/tessera-*.whl
