"""Read a facilitator's export as it comes: map its headers and codes onto the canonical tables.

Facilitators (and the software they use) write their own headers and labels: "SIRET acheteur",
"N° marché", "Heures prévues", "Homme"/"Femme", "Niveau 3 (CAP, BEP)", "BRSA, TH",
"CDD ≥ 6 mois"... A **mapping** says which header is which canonical column and which label is
which canonical code. It is applied to the raw text table, before the readers of
:mod:`helpers.io.tables` check anything, so every rule of those readers applies unchanged.

The mapping is the shipped default ``data/reference/mapping_fr.yml`` (the common French forms, with
their sources in ``data/reference/README.md``) merged with an optional ``mapping.yml`` in the data
directory, of this shape::

    files:        # optional: which file of the data directory holds each table
      clauses: Export_operations_2024.csv
      participations: participants.xlsx
      suppliers: structures.csv
    columns:      # canonical column: [headers it may have in the file]
      clauses: {buyer_siret: ["SIRET acheteur"], contract_id: ["N° marché"]}
    values:       # canonical code: [values it may have in the file]
      sex: {F: ["Femme"], M: ["Homme"]}
      public_categories: {RSA: ["BRSA"], RQTH: ["TH"]}

Rules:

- Headers match ignoring case, accents and every character that is not a letter or a digit (the
  same loose match the readers use for the canonical names: ``N° marché`` = ``n marche``).
- Values match ignoring case, accents and blanks around and repeated inside (``"  femme "`` =
  ``Femme``); other characters count, because they carry meaning: ``CDD ≥ 6 mois`` (a lasting job)
  and ``CDD < 6 mois`` (a transition job) differ only by a sign.
- A canonical code always maps to itself; a value that is neither a code nor a listed label is kept
  as it is and reported by the reader, once per distinct value, with its count and the
  ``mapping.yml`` line that would map it.
- In list columns (``public_categories``) items may be separated by ``;``, ``,`` or ``/``; each item
  is mapped (a label that itself contains a separator, e.g. ``TH/BOETH``, is tried whole first), and
  the list is written back ``;``-separated.
- Merging: the data directory's ``mapping.yml`` adds its headers and labels to the default; a header
  or label it gives to another column or code is taken away from the default's (the local file wins).
  ``files`` entries replace the default's.
- The YAML is read with PyYAML's safe loader (no Python objects), at most 1 MB; a key given twice
  in one mapping is an error (YAML would silently keep the last one). Every problem of the
  file is listed at once: unknown sections, tables, columns or codes, a header or label given to two
  columns or codes, a value that YAML read as ``true``/``false`` (quote it: ``"Non"``).
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import config
from .. import schemas as S
from ..errors import InputError, Problem
from .tabular import ROW, normalize_name

MAPPING_FILE = "mapping.yml"
DEFAULT_MAPPING_FILE = "mapping_fr.yml"
MAX_MAPPING_BYTES = 1_000_000
#: At most this many distinct unknown values are reported one by one per column.
MAX_UNKNOWN_REPORTED = 20

TABLES = ("clauses", "participations", "suppliers", "buyers")
CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "clauses": ("buyer_siret", "contract_id", "planned_hours"),
    "participations": tuple(c for c in S.PARTICIPATION_COLUMNS if c != "uid"),
    "suppliers": ("siret", "kind", "name"),
    "buyers": ("siret", "name", "buyer_type", "facilitator_from"),
}
#: Columns whose values are codes, with the codes allowed and the table they belong to.
VALUE_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sex": ("participations", S.SEXES),
    "diploma_level": ("participations", S.DIPLOMA_LEVELS),
    "public_categories": ("participations", S.PUBLIC_CATEGORIES),
    "modality": ("participations", S.MODALITIES),
    "exit_outcome": ("participations", S.EXIT_OUTCOMES),
    "kind": ("suppliers", S.SUPPLIER_KINDS),
    "buyer_type": ("buyers", S.BUYER_TYPES),
}
LIST_COLUMNS = ("public_categories",)
_SECTIONS = ("files", "columns", "values")
_LIST_SPLIT = re.compile(r"([;,/])")


def value_key(value: object) -> str:
    """A value as compared with the mapping's labels: accents stripped, lowercase, typographic
    apostrophes straightened, blanks trimmed and collapsed (other characters kept)."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("’", "'").replace("‘", "'")
    return " ".join(text.casefold().split())


def header_key(header: object) -> str:
    """A header as compared with the mapping's headers (see :func:`helpers.io.tabular.normalize_name`)."""
    return normalize_name(str(header).replace("œ", "oe").replace("Œ", "OE"))


@dataclass(frozen=True)
class Mapping:
    """A merged mapping: ``files[table]``, ``columns[table][canonical] = headers``,
    ``values[column][code] = labels`` and the files it was read from (``sources``)."""

    files: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    values: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def header_lookup(self, table: str) -> dict[str, str]:
        """``{header key: canonical column}`` for ``table``, the canonical names included."""
        lookup = {header_key(c): c for c in CANONICAL_COLUMNS[table]}
        for canon, headers in self.columns.get(table, {}).items():
            for h in headers:
                lookup.setdefault(header_key(h), canon)
        return lookup

    def value_lookup(self, column: str) -> dict[str, str]:
        """``{value key: code}`` for ``column``, the codes themselves included."""
        lookup = {value_key(c): c for c in VALUE_COLUMNS[column][1]}
        for code, labels in self.values.get(column, {}).items():
            for label in labels:
                lookup.setdefault(value_key(label), code)
        return lookup


# --------------------------------------------------------------------------------------------------
# reading and merging mapping files
# --------------------------------------------------------------------------------------------------

def _as_labels(obj: Any, file: str, where: str, problems: list[Problem]) -> tuple[str, ...]:
    items = obj if isinstance(obj, list) else [obj]
    out = []
    for item in items:
        if isinstance(item, bool) or item is None:
            problems.append(Problem(file, where, f"{item!r} is not text: YAML reads yes/no/true/"
                                    "false/on/off and empty as such; put the label in quotes, "
                                    'e.g. ["Non"]'))
        elif isinstance(item, str | int | float):
            text = str(item).strip()
            if text:
                out.append(text)
        else:
            problems.append(Problem(file, where, "expected a list of headers or labels, e.g. "
                                    '["Heures prévues", "Nb heures"]'))
    return tuple(out)


def _section(obj: Any, file: str, name: str, problems: list[Problem]) -> dict[str, Any]:
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        problems.append(Problem(file, name, f"'{name}' must be a mapping (key: value lines)"))
        return {}
    return {str(k): v for k, v in obj.items()}


def parse_mapping(obj: Any, file: str) -> Mapping:
    """Check a loaded YAML document against the mapping shape (module docstring); every problem is
    listed in one :class:`InputError` naming ``file``."""
    problems: list[Problem] = []
    if obj is None:
        obj = {}
    if not isinstance(obj, dict):
        raise InputError([Problem(file, None, "a mapping file must have the sections files, "
                                  "columns and/or values (see README, 'facilitator export')")])
    for key in obj:
        if key not in _SECTIONS:
            problems.append(Problem(file, str(key), f"unknown section (allowed: "
                                    f"{', '.join(_SECTIONS)})"))
    files: dict[str, str] = {}
    for table, name in _section(obj.get("files"), file, "files", problems).items():
        if table not in TABLES:
            problems.append(Problem(file, f"files.{table}", f"unknown table (allowed: "
                                    f"{', '.join(TABLES)})"))
        elif not isinstance(name, str) or not name.strip():
            problems.append(Problem(file, f"files.{table}", "expected a file name"))
        elif Path(name).is_absolute() or ".." in Path(name).parts:
            problems.append(Problem(file, f"files.{table}", "give a file of the data directory "
                                    "(a name relative to it, without '..')"))
        else:
            files[table] = name.strip()
    columns: dict[str, dict[str, tuple[str, ...]]] = {}
    for table, cols in _section(obj.get("columns"), file, "columns", problems).items():
        if table not in TABLES:
            problems.append(Problem(file, f"columns.{table}", f"unknown table (allowed: "
                                    f"{', '.join(TABLES)})"))
            continue
        columns[table] = {}
        for canon, headers in _section(cols, file, f"columns.{table}", problems).items():
            if canon not in CANONICAL_COLUMNS[table]:
                problems.append(Problem(file, f"columns.{table}.{canon}", "unknown column of "
                                        f"{table} (allowed: {', '.join(CANONICAL_COLUMNS[table])})"))
                continue
            columns[table][canon] = _as_labels(headers, file, f"columns.{table}.{canon}", problems)
        problems += _clashes(columns[table], header_key, file, f"columns.{table}", "header",
                             CANONICAL_COLUMNS[table])
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    for column, codes in _section(obj.get("values"), file, "values", problems).items():
        if column not in VALUE_COLUMNS:
            problems.append(Problem(file, f"values.{column}", "no codes to map for this column "
                                    f"(columns with codes: {', '.join(VALUE_COLUMNS)})"))
            continue
        allowed = VALUE_COLUMNS[column][1]
        values[column] = {}
        for code, labels in _section(codes, file, f"values.{column}", problems).items():
            if code not in allowed:
                problems.append(Problem(file, f"values.{column}.{code}", "unknown code (allowed: "
                                        f"{', '.join(allowed)})"))
                continue
            values[column][code] = _as_labels(labels, file, f"values.{column}.{code}", problems)
        problems += _clashes(values[column], value_key, file, f"values.{column}", "label",
                             allowed)
    if problems:
        raise InputError(problems)
    return Mapping(files, columns, values, (file,))


def _clashes(entries: dict[str, tuple[str, ...]], key: Any, file: str, where: str, what: str,
             canonical: Iterable[str]) -> list[Problem]:
    """A header (label) listed under two canonical columns (codes) of one section, or under one
    while it is the name of another (a canonical name always means itself)."""
    seen: dict[str, str] = {key(c): c for c in canonical}
    problems = []
    for canon, labels in entries.items():
        for label in labels:
            other = seen.setdefault(key(label), canon)
            if other != canon:
                problems.append(Problem(file, where, f"the {what} {label!r} is given to both "
                                        f"{other} and {canon}: keep it under one of them"))
    return problems


@functools.cache
def _unique_key_loader() -> Any:
    """``yaml.SafeLoader`` (no Python objects) that refuses a key given twice in one mapping, which
    plain YAML would let the second silently replace (two pasted ``sex:`` lines)."""
    import yaml

    class UniqueKeySafeLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} given twice (put all its entries under one "
                        f"{key}:)", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep)

    return UniqueKeySafeLoader


def read_mapping_file(path: str | Path) -> Mapping:
    """Read and check one mapping YAML file (safe loader, at most 1 MB)."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(path.name, None, "mapping file not found")])
    size = path.stat().st_size
    if size > MAX_MAPPING_BYTES:
        raise InputError([Problem(path.name, None, f"mapping file too large ({size} bytes; at most "
                                  f"{MAX_MAPPING_BYTES}): it should list headers and labels only")])
    try:
        obj = yaml.load(path.read_bytes().decode("utf-8-sig"), Loader=_unique_key_loader())
    except UnicodeDecodeError:
        raise InputError([Problem(path.name, None, "not UTF-8 text: save the file as UTF-8")]) \
            from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        rows = (mark.line + 1,) if mark is not None else ()
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError([Problem(path.name, None, f"not valid YAML ({what}); check quotes, "
                                  "colons and indentation", rows)]) from None
    return parse_mapping(obj, path.name)


def merge(base: Mapping, over: Mapping) -> Mapping:
    """``over`` merged over ``base`` (module docstring: the local file wins)."""
    files = {**base.files, **over.files}
    columns = {t: _merge_entries(base.columns.get(t, {}), over.columns.get(t, {}), header_key)
               for t in TABLES if t in base.columns or t in over.columns}
    values = {c: _merge_entries(base.values.get(c, {}), over.values.get(c, {}), value_key)
              for c in VALUE_COLUMNS if c in base.values or c in over.values}
    return Mapping(files, columns, values, base.sources + over.sources)


def _merge_entries(base: dict[str, tuple[str, ...]], over: dict[str, tuple[str, ...]], key: Any
                   ) -> dict[str, tuple[str, ...]]:
    owner = {key(label): canon for canon, labels in over.items() for label in labels}
    out: dict[str, tuple[str, ...]] = {}
    for canon in [*base, *(c for c in over if c not in base)]:
        kept = tuple(lab for lab in base.get(canon, ()) if owner.get(key(lab), canon) == canon)
        out[canon] = tuple(dict.fromkeys([*over.get(canon, ()), *kept]))
    return out


@functools.cache
def _default_cached(path: str, mtime_ns: int) -> Mapping:
    return read_mapping_file(path)


def default_mapping() -> Mapping:
    """The shipped default mapping, ``data/reference/mapping_fr.yml`` (read once per version)."""
    path = config.REFERENCE_DIR / DEFAULT_MAPPING_FILE
    return _default_cached(str(path), path.stat().st_mtime_ns)


def load_mapping(data_dir: str | Path | None = None) -> Mapping:
    """The default mapping merged with ``<data_dir>/mapping.yml`` when that file exists (the name
    is matched case-insensitively; ``mapping.yaml`` is accepted too). Raises :class:`InputError`
    listing the file's problems."""
    base = default_mapping()
    if data_dir is None:
        return base
    root = Path(data_dir)
    found = [p for p in root.iterdir() if p.name.lower() in (MAPPING_FILE, "mapping.yaml")] \
        if root.is_dir() else []
    if len(found) > 1:
        raise InputError([Problem(", ".join(p.name for p in found), None,
                                  "several mapping files: keep only mapping.yml")])
    return merge(base, read_mapping_file(found[0])) if found else base


def table_file(mapping: Mapping, root: Path, table: str) -> Path | None:
    """The file ``mapping.yml`` names for ``table`` (matched case-insensitively in ``root``), or
    ``None`` when it names none. A named file that does not exist is returned as is: the reader
    then reports it missing."""
    name = mapping.files.get(table)
    if name is None:
        return None
    path = root / name
    if not path.exists() and path.parent.is_dir():
        same = [p for p in path.parent.iterdir() if p.name.lower() == path.name.lower()]
        if len(same) == 1:
            return same[0]
    return path


# --------------------------------------------------------------------------------------------------
# applying a mapping to a raw table
# --------------------------------------------------------------------------------------------------

def map_frame(df: pd.DataFrame, table: str, mapping: Mapping | None, file: str
              ) -> tuple[pd.DataFrame, list[Problem]]:
    """Rename the headers of a raw text table (:func:`helpers.io.tabular.read_table_file`) to the
    canonical columns of ``table`` and recode the values of its code columns.

    Returns the new frame (the input is not modified) and the file-level problems found: two
    columns of the file mapped onto one canonical column. Unknown values are left as they are for
    the reader to report (see :func:`unknown_value_errors`).
    """
    mapping = default_mapping() if mapping is None else mapping
    lookup = mapping.header_lookup(table)
    canonical_keys = {header_key(c) for c in CANONICAL_COLUMNS[table]}
    targets: dict[str, list[str]] = {}
    for col in df.columns:
        canon = lookup.get(header_key(col)) if col != ROW else None
        if canon is not None:
            targets.setdefault(canon, []).append(col)
    problems: list[Problem] = []
    renames: dict[str, str] = {}
    for canon, cols in targets.items():
        if len(cols) == 1:
            renames[cols[0]] = canon
        elif all(header_key(c) in canonical_keys for c in cols):
            continue  # the reader reports canonical names given twice itself
        else:
            problems.append(Problem(file, canon, f"given by several columns: "
                                    f"{', '.join(repr(c) for c in cols)} (keep one of them, or "
                                    f"remove one from columns.{table}.{canon} in mapping.yml)",
                                    (1,)))
    out = df.rename(columns=renames)
    for column, (owner, _allowed) in VALUE_COLUMNS.items():
        if owner == table and column in out.columns:
            out[column] = recode(out[column], column, mapping)
    return out, problems


def recode(series: pd.Series, column: str, mapping: Mapping) -> pd.Series:
    """Map each distinct value of a code column to its code (unknown values unchanged; list
    columns item by item, written back ``;``-separated)."""
    lookup = mapping.value_lookup(column)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if column in LIST_COLUMNS:
        mapped = [_recode_list(str(u), lookup) for u in uniques]
    else:
        mapped = [lookup.get(value_key(u), u) for u in uniques]
    values = np.array([*mapped, pd.NA], dtype=object)[codes]
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


def _recode_list(text: str, lookup: dict[str, str]) -> str:
    whole = lookup.get(value_key(text))
    if whole is not None:
        return whole
    parts = _LIST_SPLIT.split(text)          # items at even positions, separators at odd ones
    items = parts[0::2]
    out: list[str] = []
    i = 0
    while i < len(items):
        for j in range(len(items), i, -1):    # longest run of items that is one label
            label = "".join(parts[2 * i: 2 * j - 1])
            code = lookup.get(value_key(label))
            if code is not None:
                out.append(code)
                i = j
                break
        else:
            if items[i].strip():
                out.append(items[i].strip())
            i += 1
    return ";".join(dict.fromkeys(out))


# --------------------------------------------------------------------------------------------------
# reporting unknown values and missing columns with the mapping.yml line that fixes them
# --------------------------------------------------------------------------------------------------

#: The code suggested for a label that looks like none of the known ones (sex has none: the closest).
FALLBACK_CODES = {"diploma_level": "inconnu", "public_categories": "AUTRE", "modality": "autre",
                  "exit_outcome": "autre", "kind": "ESS", "buyer_type": S.DEFAULT_BUYER_TYPE}
#: Similarity (difflib ratio) from which the closest known label gives the suggested code.
MIN_SIMILARITY = 0.6


def suggest_code(value: str, column: str, mapping: Mapping | None = None) -> str:
    """A guess for the hint: the code of a known label (or code) that ``value`` abbreviates
    (``Fém.`` -> ``Femme``), else of the known label most like it (difflib ratio) when similar
    enough, else the column's catch-all code (:data:`FALLBACK_CODES`)."""
    lookup = (default_mapping() if mapping is None else mapping).value_lookup(column)
    key = value_key(value)
    stem = key.rstrip(".")                      # an abbreviation: "fem." -> "femme", "feminin"

    def score(k: str) -> tuple[bool, float, str]:
        return (len(stem) >= 2 and k.startswith(stem),
                difflib.SequenceMatcher(None, key, k).ratio(), k)

    abbreviation, ratio, best = max(score(k) for k in lookup)
    if not abbreviation and ratio < MIN_SIMILARITY and column in FALLBACK_CODES:
        return FALLBACK_CODES[column]
    return lookup[best]


def mapping_line(column: str, code: str, value: str) -> str:
    """The ``mapping.yml`` line that maps ``value`` to ``code`` in ``column``."""
    return f"values: {{{column}: {{{code}: [{json.dumps(value, ensure_ascii=False)}]}}}}"


def _unknown_message(column: str, value: str, n: int, allowed: tuple[str, ...],
                     mapping: Mapping | None, item: bool) -> str:
    guess = suggest_code(value, column, mapping)
    what = "unknown value in the list" if item else "unknown value"
    return (f"{what} (allowed: {', '.join(allowed)}) (e.g. {value!r}, {n} row"
            f"{'s' if n > 1 else ''}: if it means {guess}, add to mapping.yml  "
            f"{mapping_line(column, guess, value)}  — or the right code among "
            f"{', '.join(allowed)})")


def unknown_value_errors(column: str, raw: pd.Series, unknown: pd.Series, allowed: tuple[str, ...],
                         mapping: Mapping | None = None) -> list[tuple[pd.Series, str]]:
    """One ``(rows mask, message)`` per distinct unknown value of a code column (most frequent
    first; beyond :data:`MAX_UNKNOWN_REPORTED`, one more for the rest). ``unknown`` marks the cells
    whose value is not a code."""
    values = raw[unknown].astype(str)
    counts = values.value_counts(sort=False)
    order = sorted(counts.index, key=lambda v: (-counts[v], v))
    out = []
    for value in order[:MAX_UNKNOWN_REPORTED]:
        mask = unknown & (raw.astype("string") == value).fillna(False)
        out.append((mask, _unknown_message(column, value, int(counts[value]), allowed, mapping,
                                           item=False)))
    rest = order[MAX_UNKNOWN_REPORTED:]
    if rest:
        mask = unknown & raw.astype("string").isin(rest).fillna(False)
        out.append((mask, f"unknown value (allowed: {', '.join(allowed)}): {len(rest)} more "
                          f"distinct values, {int(mask.sum())} rows (map them in mapping.yml)"))
    return out


def unknown_item_errors(column: str, raw: pd.Series, allowed: tuple[str, ...],
                        mapping: Mapping | None = None) -> list[tuple[pd.Series, str]]:
    """As :func:`unknown_value_errors` for a list column: one per distinct unknown item (items
    separated by ``;`` or ``,``, matched to the codes loosely), with the rows that hold it."""
    codes = {normalize_name(a) for a in allowed}
    cell_codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    per_item: dict[str, set[int]] = {}
    for i, text in enumerate(uniques):
        for item in re.split(r"[;,]", str(text)):
            if item.strip() and normalize_name(item) not in codes:
                per_item.setdefault(item.strip(), set()).add(i)
    out = []
    order = sorted(per_item, key=lambda v: (-int(np.isin(cell_codes, list(per_item[v])).sum()), v))
    for item in order[:MAX_UNKNOWN_REPORTED]:
        mask = pd.Series(np.isin(cell_codes, list(per_item[item])), index=raw.index)
        out.append((mask, _unknown_message(column, item, int(mask.sum()), allowed, mapping,
                                           item=True)))
    rest = order[MAX_UNKNOWN_REPORTED:]
    if rest:
        ids = sorted(set().union(*(per_item[v] for v in rest)))
        mask = pd.Series(np.isin(cell_codes, ids), index=raw.index)
        out.append((mask, f"unknown value in the list (allowed: {', '.join(allowed)}): "
                          f"{len(rest)} more distinct items, {int(mask.sum())} rows (map them in "
                          "mapping.yml)"))
    return out


def missing_column_hint(table: str, column: str, headers: Iterable[str]) -> str:
    """A hint for a required column not found: the ``mapping.yml`` line naming a header of the
    file as that column (the header that looks most like it, as a guess)."""
    if table == "participations" and column in ("beneficiary_id", "birth_year"):
        return ("; python -m helpers pseudonymise makes beneficiary_id and birth_year from the "
                "names and birth dates of an export (see README)")
    free = [h for h in headers if h != ROW and header_key(h) not in
            {header_key(c) for c in CANONICAL_COLUMNS.get(table, ())}]
    if table not in CANONICAL_COLUMNS or not free:
        return ""
    target = header_key(column)
    guess = max(free, key=lambda h: difflib.SequenceMatcher(None, header_key(h), target).ratio())
    return (f"; if the file calls it otherwise, add to mapping.yml  columns: {{{table}: "
            f"{{{column}: [{json.dumps(guess, ensure_ascii=False)}]}}}}  (with the right header)")
