"""The README stays true: its two commands exist, CI calls the test one, the settings table is current."""

from __future__ import annotations

import re
from pathlib import Path

from shared.settings import settings_table

ROOT = Path(__file__).resolve().parents[1]


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```bash\n(.*?)```", readme(), re.S)
    assert first_block
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make up", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^up:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_settings_table_matches_the_code():
    text = readme()
    table = text.split("<!-- settings-table:start -->")[1].split("<!-- settings-table:end -->")[0].strip()
    assert table == settings_table(), "regenerate with: .venv/bin/python -m shared.settings (rewrites the README table)"


def test_the_readme_example_initiative_is_a_valid_form():
    import json

    from services.submission.api.schemas import InitiativeCreate

    body = json.loads((ROOT / "docs" / "example-initiative.json").read_text())
    form = InitiativeCreate.model_validate(body)
    assert form.campaign_id == "demo" and form.record_complete
