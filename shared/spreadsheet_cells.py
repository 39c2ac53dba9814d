"""Cells for spreadsheets people open: text Excel would run as a formula is neutralised and written as text.

The OWASP rule for CSV injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return
gets a leading ``'``. In XLSX the cell is also typed as text, since openpyxl makes any string that starts with
``=`` a formula. Use these for every file a person downloads; never for a machine transfer format read back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def csv_cells(values: Iterable[Any]) -> list[Any]:
    """A CSV row with every text cell neutralised (numbers and empty cells stay as they are)."""
    return [neutralised(v) if isinstance(v, str) else v for v in values]


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append a row to ``sheet``: text cells neutralised and typed as text, never as formulas."""
    row = list(values)
    sheet.append([neutralised(v) if isinstance(v, str) else v for v in row])
    for cell, value in zip(sheet[sheet.max_row], row, strict=False):
        if isinstance(value, str):
            cell.data_type = "s"
