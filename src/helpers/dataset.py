"""The bundle of canonical tables a run works on, and its data-quality log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import schemas


def new_quality() -> dict[str, Any]:
    """An empty data-quality log. Readers and the loader fill it; results copy it to
    ``indicators.json['data_quality']``.

    Keys:
      files              [{"table", "file", "format", "rows_read"}]  every file read
      contracts_rows_read  int   contract rows/records read before de-duplication
      duplicates_dropped   int   rows dropped by the one-row-per-uid rule
      uids_with_differing_records  int  uids whose records differ in subject, amount or holders
                           (``differing_records_example`` then holds one)
      rejected           {table: n}  rows set aside in quarantine mode (0 in strict mode)
      warnings           [{"table", "file", "column", "rows", "message"}]  legal but suspicious values
      facilitator_data   bool  whether the facilitator's files (clauses and participations) were
                         given; without them no buyer is covered and delivery is not judged
    """
    return {
        "facilitator_data": True,
        "files": [],
        "contracts_rows_read": 0,
        "duplicates_dropped": 0,
        "uids_with_differing_records": 0,
        "rejected": {},
        "warnings": [],
    }


@dataclass
class Dataset:
    contracts: pd.DataFrame = field(default_factory=schemas.empty_contracts)
    clauses: pd.DataFrame = field(default_factory=schemas.empty_clauses)
    participations: pd.DataFrame = field(default_factory=schemas.empty_participations)
    suppliers: pd.DataFrame = field(default_factory=schemas.empty_suppliers)
    buyers: pd.DataFrame = field(default_factory=schemas.empty_buyers)
    quality: dict[str, Any] = field(default_factory=new_quality)
    # Rows set aside in quarantine mode: table name -> DataFrame of the raw rows plus a `reason` column.
    rejected: dict[str, pd.DataFrame] = field(default_factory=dict)
