"""Benchmark results: one row per measured figure, with its baseline, ratio and bar; JSON and Markdown output."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "BENCHMARKS.md"
ANALYSIS = ROOT / "bench" / "analysis.md"  # hand-written: how rows measure, what limits missed bars


@dataclass
class Row:
    """One measured figure. ``ratio`` = value / baseline when a baseline applies."""

    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline_value: float | None = None
    bar: str = ""
    passed: bool | None = None
    notes: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline_value:
            return self.value / self.baseline_value
        return None


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30

    def version(cmd: list[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
            return done.stdout.strip().splitlines()[0]
        except Exception:
            return "?"

    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; {version(['redis-server', '--version'])}; "
        f"PostgreSQL {version(['psql', '--version']).split()[-1]}; all servers on the same machine"
    )


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return f"{text} {unit}".strip()


def print_rows(rows: list[Row], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="sangkien benchmark")
    for col in ("figure", "value", "baseline (same run)", "ratio", "bar", "ok"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.name, _fmt(r.value, r.unit),
            f"{r.baseline_name}: {_fmt(r.baseline_value)}" if r.baseline_name else "—",
            f"{r.ratio:.2f}" if r.ratio is not None else "—",
            r.bar or "—",
            {True: "yes", False: "NO", None: "—"}[r.passed],
        )
    console.print(table)


def markdown(rows: list[Row], started: datetime, seconds: float) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Latest run: {started:%Y-%m-%d %H:%M} UTC, {seconds:.0f} s, `make bench`.",
        f"Machine: {machine_description()}.",
        "",
        "Every figure sits beside a raw baseline measured in the same run (the machine is shared and noisy; "
        "the ratio is what counts).",
        "",
        "| figure | value | baseline (same run) | ratio | bar | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        baseline = f"{r.baseline_name}: {_fmt(r.baseline_value)}" if r.baseline_name else "—"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[r.passed]
        lines.append(f"| {r.name} | {_fmt(r.value, r.unit)} | {baseline} | {ratio} | {r.bar or '—'} | {met} |")
    notes = [f"- **{r.name}**: {r.notes}" for r in rows if r.notes]
    if notes:
        lines += ["", "## Notes from this run", "", *notes]
    if ANALYSIS.exists():
        lines += ["", ANALYSIS.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"


def write(rows: list[Row], started: datetime, seconds: float, *, update_doc: bool = True) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "started": started.isoformat(),
        "seconds": seconds,
        "machine": machine_description(),
        "rows": [asdict(r) | {"ratio": r.ratio} for r in rows],
    }
    out = RESULTS / f"bench-{started:%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    if update_doc:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(markdown(rows, started, seconds))
    return out


def render_doc(results: Path) -> None:
    """Rewrite docs/BENCHMARKS.md from a results JSON (e.g. after editing bench/analysis.md)."""
    payload = json.loads(results.read_text())
    fields = set(Row.__dataclass_fields__)
    rows = [Row(**{k: v for k, v in r.items() if k in fields}) for r in payload["rows"]]
    DOC.write_text(markdown(rows, datetime.fromisoformat(payload["started"]), payload["seconds"]))


def now() -> datetime:
    return datetime.now(UTC)
