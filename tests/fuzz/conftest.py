"""The three services in one namespace, served in-process by uvicorn, seeded, with schemathesis schemas for each."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.hooks import HookDispatcher, HookScope
from schemathesis.specs.openapi.schemas import OpenApiSchema

from services.submission import MIGRATIONS_DIR as SUBMISSION_MIGRATIONS
from shared.auth import Role, issue_token
from shared.db import upgrade_database_async
from shared.local_users import service_urls
from shared.settings import Settings
from shared.topology import declare_everything
from tests.conftest import _create_pg_database, _drop_pg_database
from tests.fuzz.served import ServedApp, run_coroutine
from tests.submission.support import UNIT, UNIT_L2, UNIT_L3, form

# Identifiers the fuzz may put in place of random ones, so it reaches past "404 not found" into real rows.
KNOWN_CAMPAIGNS = ["demo", "75k-2021"]
KNOWN_UNITS = ["VGCL", UNIT_L2, UNIT_L3, UNIT]
SKIPPED_PATHS = {"/v1/stream"}  # the SSE stream never ends by design; tally's stream tests cover it
ID_PARAMETERS = {"initiative_id", "case_id", "campaign_id", "unit_id", "unit", "parent", "award_id"}


@dataclass
class Services:
    settings: Settings
    submission: ServedApp
    awards: ServedApp
    tally: ServedApp
    known: dict[str, list[str]]

    def headers(self, role: Role, unit: str | None = None, subject: str = "dv-fuzz") -> dict[str, str]:
        token = issue_token(subject=subject, role=role, unit_id=unit, settings=self.settings)
        return {"Authorization": f"Bearer {token}"}

    def principals(self) -> list[dict[str, str]]:
        """Everyone who may call the APIs: anonymous, a member, an officer, reviewers at two levels, admin, service."""
        return [
            {},
            self.headers(Role.MEMBER),
            self.headers(Role.OFFICER, UNIT_L3, "cb-fuzz"),
            self.headers(Role.REVIEWER, UNIT, "xd-co-so"),
            self.headers(Role.REVIEWER, UNIT_L2, "xd-tinh"),
            self.headers(Role.ADMIN, None, "quan-tri"),
            self.headers(Role.SERVICE, None, "service"),
        ]


def _seed(services: Services) -> dict[str, list[str]]:
    """A draft, two submitted initiatives (one voted for), and the review cases awards opens for them."""
    member = services.headers(Role.MEMBER)
    known: dict[str, list[str]] = {"initiative_id": [], "case_id": []}
    with services.submission.client() as client:
        for n in range(3):
            created = client.post("/v1/initiatives", json=form(title=f"Sáng kiến thử nghiệm số {n}"), headers=member)
            assert created.status_code == 201, created.text
            known["initiative_id"].append(created.json()["id"])
        for initiative_id in known["initiative_id"][1:]:
            submitted = client.post(f"/v1/initiatives/{initiative_id}/submit", headers=member)
            assert submitted.status_code == 200, submitted.text
        voted = client.post(f"/v1/initiatives/{known['initiative_id'][1]}/votes",
                            headers=services.headers(Role.MEMBER, subject="dv-binh-chon"))
        assert voted.status_code == 201, voted.text
    admin = services.headers(Role.ADMIN, None, "quan-tri")
    deadline = time.monotonic() + 60
    with services.awards.client() as client:
        while len(known["case_id"]) < 2:
            page = client.get("/v1/queue", params={"unit_id": UNIT}, headers=admin)
            assert page.status_code == 200, page.text
            known["case_id"] = [item["case_id"] for item in page.json()["items"]]
            if time.monotonic() > deadline:
                raise AssertionError(f"awards opened no review cases for the seeded initiatives: {page.text}")
            time.sleep(0.2)
    return known


async def _live_generation(settings: Settings) -> None:
    from redis.asyncio import Redis

    from services.tally.adapters.store import TallyStore

    client = Redis.from_url(settings.redis_url)
    try:
        await TallyStore(client, settings).ensure_generation()
    finally:
        await client.aclose()


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    from services.awards.app import create_app as awards_app
    from services.submission.app import create_app as submission_app
    from services.tally.app import create_app as tally_app
    from tests.fuzz.cleanup import drop_namespace

    tmp: Path = tmp_path_factory.mktemp("fuzz")
    suffix = uuid.uuid4().hex[:10]
    databases = {"submission": f"sangkien_fuzz_sub_{suffix}", "awards": f"sangkien_fuzz_awd_{suffix}"}
    urls = {service: run_coroutine(lambda n=name, s=service: _create_pg_database(n, s))  # type: ignore[misc]
            for service, name in databases.items()}
    admin = Settings(
        env="test", namespace=f"fz{suffix}", attachments_dir=tmp / "attachments", relay_idle_seconds=0.02,
        submission_db_url=urls["submission"], awards_db_url=urls["awards"],
    )
    settings = admin.model_copy(update=service_urls(admin))  # each service as its own user
    run_coroutine(lambda: declare_everything(admin))  # the operator's part: queues exist before anyone publishes
    run_coroutine(lambda: _live_generation(admin))  # a worker's part (none runs here): the read API writes nothing

    async def migrate_submission() -> None:
        await upgrade_database_async(SUBMISSION_MIGRATIONS, settings.submission_db_url)

    submission = ServedApp("submission", lambda: submission_app(settings), migrate_submission)
    awards_settings = settings.model_copy(update={"submission_url": submission.url})
    awards = ServedApp("awards", lambda: awards_app(awards_settings))
    tally = ServedApp("tally", lambda: tally_app(settings))
    started: list[ServedApp] = []
    try:
        for app in (submission, awards, tally):
            app.start()
            started.append(app)
        running = Services(settings, submission, awards, tally, {})
        running.known = _seed(running)
        yield running
    finally:
        for app in reversed(started):
            app.stop()
        run_coroutine(lambda: drop_namespace(settings))
        for name in databases.values():
            run_coroutine(lambda name=name: _drop_pg_database(name))  # type: ignore[misc]


@dataclass
class FuzzSchema:
    """A live schema plus the hooks only positive cases get (seeded ids would mask a negative case's defect)."""

    schema: OpenApiSchema
    positive_hooks: HookDispatcher


def fuzz_schema(services: Services, app: ServedApp) -> FuzzSchema:
    """The app's live OpenAPI: every case is sent as one of the principals; positive ones may use seeded ids."""
    schema = schemathesis.openapi.from_url(f"{app.url}/openapi.json")
    schema.config.update(base_url=app.url)
    # Unknown query parameters are ignored (forward compatible), so adding one does not make a request invalid.
    schema.config.generation.update(allow_extra_parameters=False)
    principals = services.principals()
    known = {
        **services.known, "campaign_id": KNOWN_CAMPAIGNS, "unit_id": KNOWN_UNITS, "unit": KNOWN_UNITS,
        "parent": KNOWN_UNITS,
    }

    def with_known(values: dict[str, Any] | None) -> st.SearchStrategy[dict[str, Any] | None]:
        if not values:
            return st.just(values)
        choices: dict[str, st.SearchStrategy[Any]] = {}
        for name, value in values.items():
            options = known.get(name) if name in ID_PARAMETERS else None
            choices[name] = st.one_of(st.just(value), st.sampled_from(options)) if options else st.just(value)
        return st.fixed_dictionaries(choices)

    @schema.hook
    def flatmap_headers(context: Any, headers: dict[str, Any] | None) -> st.SearchStrategy[dict[str, Any]]:
        return st.sampled_from(principals).map(lambda auth: {**(headers or {}), **auth})

    positive = HookDispatcher(scope=HookScope.TEST)

    @positive.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
        return with_known(path_parameters)

    @positive.hook
    def flatmap_query(context: Any, query: dict[str, Any] | None) -> st.SearchStrategy[Any]:
        return with_known(query)

    return FuzzSchema(schema, positive)
