"""The README's first command: the whole platform starts, serves its pages, counts exactly, and stops on Ctrl-C."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.e2e.conftest import Platform, get


def test_start_command_prints_every_url_and_serves_them(platform: Platform):
    log = platform.log()
    for label in ("Dashboard", "Submission API docs", "Awards API docs", "Tally API docs", "AsyncAPI docs"):
        assert label in log
    assert get(f"{platform.tally}/").status_code == 200
    assert "Sáng kiến" in get(f"{platform.tally}/").text or "sáng kiến" in get(f"{platform.tally}/").text
    for base in (platform.submission, platform.awards, platform.tally):
        assert get(f"{base}/docs").status_code == 200
        assert get(f"{base}/openapi.json").json()["paths"]
        assert get(f"{base}/health").json() == {"status": "ok"}
    asyncapi = get(f"{platform.submission}/asyncapi.json").json()
    assert "vote.cast:publish" in asyncapi["channels"]
    campaigns = get(f"{platform.submission}/v1/campaigns").json()
    assert {c["id"] for c in campaigns} >= {"75k-2021", "demo"}


def test_at_least_two_tally_workers_consume_and_readiness_says_so(platform: Platform):
    ready = get(f"{platform.tally}/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["consumers_attached"] >= 2


def test_a_simulated_campaign_through_all_services_counts_exactly(platform: Platform):
    result = platform.cli("simulate", "--initiatives", "300", "--votes", "2000", "--seed", "7", timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "exact: every counter and ranking equals what was sent" in result.stdout


def test_reconcile_finds_no_difference_after_the_simulation(platform: Platform):
    result = platform.cli("tally", "reconcile", timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_stops_every_process_cleanly(platform: Platform):
    """Runs last in this module: Ctrl-C ends the platform with exit code 0 and leaves no process behind."""
    processes = _descendants(platform.process.pid)
    assert len(processes) >= 6, "submission, awards, tally API, worker supervisor and two workers"
    platform.process.send_signal(signal.SIGINT)
    assert platform.process.wait(timeout=60) == 0
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in processes if _alive(p)], "processes left running after Ctrl-C"
    assert "stopped." in platform.log()
