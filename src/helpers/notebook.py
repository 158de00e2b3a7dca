"""What the notebooks call, so that their cells stay thin (DESIGN §4).

``params, data, res = setup(year=..., buyers=..., ...)`` turns the ``parameters`` cell into
:class:`~helpers.params.Params` (same checks as the command line), then returns the dataset and the
results. Inside ``python -m helpers run`` they come from the pickle named by ``$SCA_SESSION`` (the data
was read and the results computed once, by the run itself, so the notebooks show exactly the numbers of
``indicators.json``); opened interactively, the notebook loads the data directory and computes them.

The display helpers only format: rounded floats, bounded tables, no paths, no timestamps — the
committed notebooks' outputs are compared by nbval.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .dataset import Dataset
from .params import Params, make_params

SESSION_ENV = "SCA_SESSION"
MAX_ROWS = 20


def setup(**parameters: Any) -> tuple[Params, Dataset, Any]:
    """Parameters → (params, dataset, results); see the module docstring.

    Also fixes the display options (rounded floats, bounded rows) and silences library warnings, so
    the outputs are the same on every execution.
    """
    params = make_params(parameters)
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_rows", MAX_ROWS + 10)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    warnings.filterwarnings("ignore")
    session = os.environ.get(SESSION_ENV)
    if session and Path(session).is_file():
        with open(session, "rb") as fh:
            stored = pickle.load(fh)
        if stored.get("parameters") == dataclasses.asdict(params):
            return params, stored["dataset"], stored["results"]
    from .run import compute_results, load_dataset

    dataset = load_dataset(params.data_dir)
    return params, dataset, compute_results(dataset, params)


def md(text: str) -> None:
    """Display Markdown (prose with computed numbers)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def pct(value: Any, digits: int = 1) -> str:
    """``0.342`` → ``"34.2 %"``; ``None``/NaN → ``"n/a"``."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{float(value) * 100:.{digits}f} %"


def num(value: Any, digits: int = 0) -> str:
    """A number with thin thousands separators (``435 643``); ``None``/NaN → ``"n/a"``."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{float(value):,.{digits}f}".replace(",", " ")


def ci(bounds: Any, digits: int = 1) -> str:
    """A 95 % interval ``[lo, hi]`` of shares as ``"[28.1 %, 40.3 %]"``."""
    if not bounds or any(b is None for b in bounds):
        return "n/a"
    lo, hi = bounds
    return f"[{pct(lo, digits)}, {pct(hi, digits)}]"


def table(df: pd.DataFrame, max_rows: int = MAX_ROWS, digits: int = 3) -> pd.DataFrame:
    """A bounded, rounded copy for display: at most ``max_rows`` rows, floats rounded, a fresh index.

    The full table stays in the CSV files of the report (issue 6: bounded reports).
    """
    out = df.head(max_rows).reset_index(drop=True).copy()
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(digits)
    out.index = range(1, len(out) + 1)
    return out


def mapping_table(values: Mapping[str, Any], key: str = "indicator", value: str = "value",
                  digits: int = 3) -> pd.DataFrame:
    """A two-column table from a flat mapping (nested values are shown as text)."""
    rows = [(k, round(v, digits) if isinstance(v, float) else v) for k, v in values.items()]
    return pd.DataFrame(rows, columns=[key, value])
