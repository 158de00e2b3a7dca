"""Run parameters (docs/design.md §4.1): names, types, defaults, YAML loading and strict name checking.

Papermill only *warns* on unknown parameters and ``-p`` guesses types (a SIRET loses its leading
zero), so every run goes through :func:`load_params`, which reads YAML, refuses unknown names and
checks each value's type before any notebook starts.

Values are checked strictly: booleans must be YAML booleans (``true``/``false``, not ``"yes"`` or
``1``), ``etp_hours`` must lie in :data:`~helpers.config.ETP_HOURS_RANGE` (1 to 10 000 hours),
``language`` is ``fr`` or ``en``, and ``min_cell_size`` below
:data:`~helpers.config.SMALL_CELL_FLOOR` (11, the French statistical-secrecy threshold) is refused
unless ``allow_small_cells: true`` says it is meant.

The YAML file is read safely: a regular file of at most :data:`~helpers.config.MAX_PARAMS_BYTES`,
UTF-8, loaded with PyYAML's safe loader, without aliases (``*name``, which can expand a few lines
into gigabytes) and nested at most :data:`MAX_YAML_DEPTH` levels. Every problem is a
:class:`ParameterError` (exit code 2 on the command line).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import (
    DEFAULT_PARAMS,
    ETP_HOURS_RANGE,
    LANGUAGES,
    MAX_PARAMS_BYTES,
    SCOPES,
    SMALL_CELL_FLOOR,
    resolve_path,
)
from .schemas import SIRET_REGEX

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
    allow_small_cells: bool = bool(DEFAULT_PARAMS["allow_small_cells"])
    language: str = str(DEFAULT_PARAMS["language"])

    @property
    def as_of_date(self) -> dt.date:
        """The cut-off date: ``as_of`` when given, else 31 December of ``year``."""
        if self.as_of:
            return dt.date.fromisoformat(self.as_of)
        return dt.date(self.year, 12, 31)

    @functools.cached_property
    def data_path(self) -> Path:
        """``data_dir`` as an absolute path (relative to the project root when given relative,
        symbolic links resolved), computed once: every step of a run that reads, hashes or protects
        the data directory uses this one path, while the notebooks receive ``data_dir`` as given."""
        return resolve_path(self.data_dir).resolve()

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
    if not problems:
        small = out.get("min_cell_size", Params.min_cell_size)
        if small < SMALL_CELL_FLOOR and not out.get("allow_small_cells", Params.allow_small_cells):
            problems.append(f"min_cell_size: {small} is below {SMALL_CELL_FLOOR}, the smallest "
                            "count of people published under French statistical secrecy; set "
                            "allow_small_cells: true as well to publish smaller counts anyway")
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
    if name == "allow_small_cells":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value
    if name == "language":
        if value not in LANGUAGES:
            raise ValueError(f"expected one of {', '.join(LANGUAGES)}, got {value!r}")
        return value
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
    low, high = ETP_HOURS_RANGE
    if name == "etp_hours" and not low <= value <= high:
        raise ValueError(f"expected the hours of one full-time equivalent, between {low:g} and "
                         f"{high:g} (1607 in France), got {value!r}")
    return value


MAX_YAML_DEPTH = 16
"""Nesting depth of a parameters file (the deepest parameter, ``buyers``, needs 2)."""


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases and with a bounded nesting depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a parameters file: write the "
                "values out", mark)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_yaml_params(path: str | Path) -> dict[str, Any]:
    """Read a YAML parameters file (a mapping). Names are checked by :func:`make_params`.

    Raises :class:`ParameterError` when the file is missing, not a regular file (a folder, a named
    pipe...), larger than :data:`~helpers.config.MAX_PARAMS_BYTES`, not UTF-8, not valid YAML, uses
    aliases, or is not a mapping of names."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ParameterError(f"{p}: parameters file not found") from None
    except OSError as exc:
        raise ParameterError(f"{p}: cannot read the parameters file ({exc.strerror})") from None
    import stat as _stat

    if _stat.S_ISDIR(st.st_mode):
        raise ParameterError(f"{p}: is a folder, not a YAML parameters file")
    if not _stat.S_ISREG(st.st_mode):
        raise ParameterError(f"{p}: not a regular file (a named pipe, socket or device): give a "
                             "YAML parameters file")
    if st.st_size > MAX_PARAMS_BYTES:
        raise ParameterError(f"{p}: {st.st_size} bytes, more than the limit of {MAX_PARAMS_BYTES} "
                             "for a parameters file")
    try:
        with open(p, "rb") as fh:
            raw = fh.read(MAX_PARAMS_BYTES + 1)
    except OSError as exc:
        raise ParameterError(f"{p}: cannot read the parameters file ({exc.strerror})") from None
    if len(raw) > MAX_PARAMS_BYTES:
        raise ParameterError(f"{p}: more than the limit of {MAX_PARAMS_BYTES} bytes for a "
                             "parameters file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{p}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
                             ) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader, aliases off
    except yaml.YAMLError as exc:
        raise ParameterError(f"{p}: not valid YAML: "
                             f"{str(exc).replace('<unicode string>', p.name)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{p}: expected a mapping of parameter names to values")
    odd = [k for k in data if not isinstance(k, str)]
    if odd:
        raise ParameterError(f"{p}: parameter names must be text, got {', '.join(map(repr, odd))}")
    check_names(list(data), where=str(p))
    return data


def load_params(path: str | Path | None = None, **overrides: Any) -> Params:
    """Parameters from an optional YAML file, then overrides (ignored when ``None``)."""
    values: dict[str, Any] = read_yaml_params(path) if path else {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return make_params(values)
