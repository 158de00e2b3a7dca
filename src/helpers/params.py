"""Run parameters (DESIGN §4): names, types, defaults, YAML loading and strict name checking.

Papermill only *warns* on unknown parameters and ``-p`` guesses types (a SIRET loses its leading
zero), so every run goes through :func:`load_params`, which reads YAML, refuses unknown names and
checks each value's type before any notebook starts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import DEFAULT_PARAMS, SCOPES, resolve_path
from .schemas import SIRET_REGEX

import re

_SIRET = re.compile(SIRET_REGEX)


class ParameterError(ValueError):
    """A parameter name or value is invalid. The message lists every problem."""


@dataclass(frozen=True)
class Params:
    year: int = int(DEFAULT_PARAMS["year"])  # type: ignore[arg-type]
    buyers: list[str] = field(default_factory=list)
    data_dir: str = str(DEFAULT_PARAMS["data_dir"])
    scope: str = str(DEFAULT_PARAMS["scope"])
    target: float = float(DEFAULT_PARAMS["target"])  # type: ignore[arg-type]
    min_delivery_ratio: float = float(DEFAULT_PARAMS["min_delivery_ratio"])  # type: ignore[arg-type]
    as_of: str = str(DEFAULT_PARAMS["as_of"])
    min_contracts: int = int(DEFAULT_PARAMS["min_contracts"])  # type: ignore[arg-type]
    alpha: float = float(DEFAULT_PARAMS["alpha"])  # type: ignore[arg-type]
    etp_hours: float = float(DEFAULT_PARAMS["etp_hours"])  # type: ignore[arg-type]
    min_cell_size: int = int(DEFAULT_PARAMS["min_cell_size"])  # type: ignore[arg-type]

    @property
    def as_of_date(self) -> dt.date:
        """The cut-off date: ``as_of`` when given, else 31 December of ``year``."""
        if self.as_of:
            return dt.date.fromisoformat(self.as_of)
        return dt.date(self.year, 12, 31)

    @property
    def data_path(self) -> Path:
        return resolve_path(self.data_dir)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the parameters as given (``as_of`` resolved), for ``indicators.json``."""
        d = dataclasses.asdict(self)
        d["as_of"] = self.as_of_date.isoformat()
        d["buyers"] = list(self.buyers)
        return d


PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Params))


def check_names(names: list[str] | set[str], allowed: tuple[str, ...] | set[str] = PARAM_NAMES,
                where: str = "parameters") -> None:
    """Raise :class:`ParameterError` naming every unknown parameter (papermill would only warn)."""
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise ParameterError(
            f"unknown parameter name(s) in {where}: {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )


def make_params(values: dict[str, Any] | None = None) -> Params:
    """Build :class:`Params` from a dict, refusing unknown names and wrong types (all listed)."""
    values = dict(values or {})
    check_names(list(values))
    problems: list[str] = []
    out: dict[str, Any] = {}
    for name, value in values.items():
        try:
            out[name] = _coerce(name, value)
        except (TypeError, ValueError) as exc:
            problems.append(f"{name}: {exc}")
    if problems:
        raise ParameterError("invalid parameter value(s):\n  - " + "\n  - ".join(problems))
    return Params(**out)


def _coerce(name: str, value: Any) -> Any:
    if name == "year":
        if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
            raise ValueError(f"expected a year as an integer, got {value!r}")
        return value
    if name == "buyers":
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ValueError(f"expected a list of SIRET strings, got {value!r}")
        bad = [v for v in value if not isinstance(v, str) or not _SIRET.match(v)]
        if bad:
            raise ValueError(
                f"each buyer must be a 14-digit SIRET *string* (quote it in YAML so leading zeros "
                f"survive), got {bad!r}"
            )
        return list(value)
    if name in ("data_dir", "as_of", "scope"):
        if value is None:
            value = ""
        if isinstance(value, dt.date):  # YAML turns an unquoted 2024-12-31 into a date
            value = value.isoformat()
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {value!r}")
        if name == "scope" and value not in SCOPES:
            raise ValueError(f"expected one of {', '.join(SCOPES)}, got {value!r}")
        if name == "as_of" and value:
            dt.date.fromisoformat(value)
        return value
    if name in ("min_contracts", "min_cell_size"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"expected a non-negative integer, got {value!r}")
        return value
    # floats: target, min_delivery_ratio, alpha, etp_hours
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    value = float(value)
    if name in ("target", "alpha", "min_delivery_ratio") and not 0.0 <= value <= 1.0:
        raise ValueError(f"expected a number between 0 and 1, got {value!r}")
    if name == "etp_hours" and value <= 0:
        raise ValueError(f"expected a positive number of hours, got {value!r}")
    return value


def read_yaml_params(path: str | Path) -> dict[str, Any]:
    """Read a YAML parameters file (a mapping). Names are checked by :func:`make_params`."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"{p}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{p}: expected a mapping of parameter names to values")
    check_names(list(data), where=str(p))
    return data


def load_params(path: str | Path | None = None, **overrides: Any) -> Params:
    """Parameters from an optional YAML file, then overrides (ignored when ``None``)."""
    values: dict[str, Any] = read_yaml_params(path) if path else {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return make_params(values)
