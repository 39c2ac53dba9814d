"""How much of an import file the server reads: bounds on archive size, shared strings, columns and rows."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from services.submission.domain.import_rows import COLUMNS

# Columns past the template's that a sheet may still hold (a notes column, styled empty cells Excel writes):
# 14 more, so a row may reach column AX (50 columns); the first cell past that stops the read.
COLUMN_MARGIN = 14
MAX_COLUMNS = len(COLUMNS) + COLUMN_MARGIN
# Most XML between two cells of a sheet (or two shared strings): what lxml builds there cannot be freed before the
# next cell, and 1 MiB of tiny elements costs ~33 MB. No real cell comes near it (Excel caps a cell at 32,767
# characters).
MAX_XML_BETWEEN_CELLS = 1_048_576
MAX_WORKBOOK_PART_BYTES = 1_048_576  # xl/workbook.xml and its relationships are parsed whole


@dataclass(frozen=True)
class ImportLimits:
    """Bounds the server applies to one import file (the settings ``SANGKIEN_IMPORT_MAX_*``)."""

    max_uncompressed_bytes: int = 50 * 1_048_576
    max_shared_strings: int = 1_000_000
    max_shared_string_bytes: int = 32 * 1_048_576
    max_rows: int = 100_000

    @classmethod
    def local(cls) -> ImportLimits:
        """For the CLI reading an officer's own file before sending it in chunks: no row cap, a larger archive."""
        return cls(max_uncompressed_bytes=512 * 1_048_576, max_shared_strings=sys.maxsize,
                   max_shared_string_bytes=sys.maxsize, max_rows=sys.maxsize)
