"""The tally HTTP service: public read API, the live SSE stream and the dashboard page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import orjson
import redis.asyncio as aioredis
from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, StreamingResponse

from services.tally.answers import AnswerCache, CachedReads, route_query_names
from services.tally.keys import NATION
from services.tally.labels import TALLY_LABELS
from services.tally.reads import TallyReader
from services.tally.schemas import (
    STREAM_PROBLEMS,
    CampaignList,
    CampaignTotals,
    DailySeries,
    DailyTable,
    Metric,
    TableMetric,
    TopInitiatives,
    UnitDetail,
    UnitRanking,
    component_schemas,
    problem_responses,
)
from services.tally.stream import StreamHub
from shared.client_address import address_bucket, client_address
from shared.events import CAMPAIGN_ID_PATTERN
from shared.http import create_app as create_base_app
from shared.settings import Settings, get_settings

DASHBOARD = Path(__file__).parent / "static" / "dashboard.html"
CampaignId = Annotated[str, PathParam(min_length=1, max_length=64, description="Campaign id", examples=["c2021"])]
UnitId = Annotated[str, Query(min_length=1, max_length=64, description="Unit id (union tree) or * for the nation",
                              examples=["P24"])]
ParentId = Annotated[str | None, Query(max_length=64, description="Parent unit (default: VGCL)", examples=["P24"])]
Limit = Annotated[int, Query(ge=1, le=100, description="How many rows")]
SSE_DESCRIPTION = """\
`text/event-stream` that does not end. The first event is `snapshot`, then `update` events carry only the
sections that changed since (latest values win for a slow client), at most one every 0.25 s, with
`: keep-alive` comments after 15 s without one.
Each event's `data` is one JSON object with some of: `totals` (as `/totals`), `top_units_initiatives` and
`top_units_votes` (as `/rankings` of the level-2 units, top 10), `top_initiatives` (as `/top-initiatives`,
top 10), `daily` (as `/daily` of the nation) and `rebuilding` (`true` while the counters are rebuilt:
then no other section is sent)."""
SSE_EXAMPLE = 'event: snapshot\ndata: {"totals":{"campaign_id":"c2021","submitted":2},"rebuilding":false}\n\n'


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


def _client_address(request: Request) -> str:
    """What the per-address stream cap counts: the client (behind trusted proxies only) as the vote limit does,
    an IPv4 address or an IPv6 /64."""
    return address_bucket(client_address(request, request.app.state.trusted_proxies))


def _reader(request: Request) -> TallyReader:
    reader: TallyReader = request.app.state.reader
    return reader


async def _answer(request: Request, read: Callable[[str], Awaitable[dict[str, Any]]]) -> Response:
    """The encoded answer of ``read`` in the live generation, shared for a short while (see ``answers.py``).

    The routes keep their ``response_model`` for the OpenAPI document; the reads build exactly that JSON
    (tests compare it byte for byte), so it is encoded once here instead of validated on every request.
    """
    generation = await _reader(request).generation()
    cache: AnswerCache = request.app.state.answers

    async def encoded() -> bytes:
        return orjson.dumps(await read(generation))

    # keyed on what the route reads: its declared parameters only (see answers.py)
    key = cache.key(request.scope["path"], request.scope["query_string"], route_query_names(request.scope.get("route")))
    body = await cache.get(key, generation.encode(), encoded)
    return Response(body, media_type="application/json")


def api_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["tally (public)"])
    with_unit = problem_responses(404, 422, 503)
    with_params = problem_responses(422, 503)

    @router.get("/campaigns", summary="Campaigns with counters", response_model=CampaignList,
                responses=problem_responses(503))
    async def campaigns(request: Request) -> Response:
        reader = _reader(request)

        async def read(gen: str) -> dict[str, Any]:
            return {"campaigns": await reader.campaigns(gen=gen)}

        return await _answer(request, read)

    @router.get("/campaigns/{campaign_id}/totals", summary="National totals and progress to the target",
                response_model=CampaignTotals, responses=with_params)
    async def totals(request: Request, campaign_id: CampaignId) -> Response:
        reader = _reader(request)
        return await _answer(request, lambda gen: reader.totals(campaign_id, gen=gen))

    @router.get("/campaigns/{campaign_id}/units/{unit_id}", summary="A unit's counters with its children's breakdown",
                response_model=UnitDetail, responses=with_unit)
    async def unit(
        request: Request, campaign_id: CampaignId,
        unit_id: Annotated[str, PathParam(min_length=1, max_length=64, description="Unit id (union tree) or * for "
                                                                                   "the nation", examples=["P24"])],
    ) -> Response:
        reader = _reader(request)
        reader.known_unit(unit_id)
        return await _answer(request, lambda gen: reader.unit(campaign_id, unit_id, gen=gen))

    @router.get("/campaigns/{campaign_id}/rankings", summary="Units under a parent ranked by a metric",
                response_model=UnitRanking, responses=with_unit)
    async def rankings(
        request: Request, campaign_id: CampaignId, metric: Metric = "initiatives",
        parent: ParentId = None,
        level: Annotated[int | None, Query(
            ge=2, le=2, deprecated=True,
            description="Kept for links of the form `?level=2`: the only value, 2, asks for the level-2 units, "
                        "which is what the default parent (VGCL) gives; ignored when `parent` is given",
        )] = None,
        limit: Limit = 10,
    ) -> Response:
        reader = _reader(request)
        parent_id = parent or reader.tree_root()
        reader.known_unit(parent_id)
        return await _answer(request, lambda gen: reader.rankings(
            campaign_id, parent_id=parent_id, metric=metric, limit=limit, gen=gen))

    @router.get("/campaigns/{campaign_id}/top-initiatives", summary="Initiatives ranked by votes (nation or unit)",
                response_model=TopInitiatives, responses=with_unit)
    async def top_initiatives(
        request: Request, campaign_id: CampaignId, unit: UnitId = NATION, limit: Limit = 10,
    ) -> Response:
        reader = _reader(request)
        reader.known_unit(unit)
        return await _answer(request, lambda gen: reader.top_initiatives(campaign_id, unit_id=unit, limit=limit,
                                                                         gen=gen))

    @router.get("/campaigns/{campaign_id}/daily", summary="Initiatives and votes per day (Asia/Ho_Chi_Minh)",
                response_model=DailySeries, responses=with_unit)
    async def daily(request: Request, campaign_id: CampaignId, unit: UnitId = NATION) -> Response:
        reader = _reader(request)
        reader.known_unit(unit)
        return await _answer(request, lambda gen: reader.daily(campaign_id, unit_id=unit, gen=gen))

    @router.get("/campaigns/{campaign_id}/daily-table", summary="Units × days table, like the 2021 portal's",
                response_model=DailyTable, responses=with_unit)
    async def daily_table(
        request: Request, campaign_id: CampaignId,
        parent: ParentId = None,
        metric: TableMetric = "initiatives",
    ) -> Response:
        reader = _reader(request)
        parent_id = parent or reader.tree_root()
        reader.known_unit(parent_id)
        return await _answer(request, lambda gen: reader.daily_table(campaign_id, parent_id=parent_id, metric=metric,
                                                                     gen=gen))

    @router.get(
        "/stream", summary="Server-Sent Events: coalesced changes of one campaign", response_class=EventStreamResponse,
        responses={200: {"description": SSE_DESCRIPTION, "content": {"text/event-stream": {"example": SSE_EXAMPLE}}},
                   **STREAM_PROBLEMS},
    )
    async def stream(
        request: Request,
        campaign_id: Annotated[str, Query(pattern=CAMPAIGN_ID_PATTERN, description="Campaign id (one tally has "
                                                                                    "counters of)")],
    ) -> EventStreamResponse:
        hub: StreamHub = request.app.state.hub
        lease = await hub.admit(campaign_id, _client_address(request))  # refused before the stream starts
        return EventStreamResponse(
            hub.stream(campaign_id, lease), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return router


def create_app(settings: Settings | None = None) -> FastAPI:
    """The tally API application (``uvicorn --factory services.tally.app:create_app``)."""
    settings = settings or get_settings()
    redis = aioredis.Redis.from_url(settings.redis_url_for("tally_api"), max_connections=512)
    reader = TallyReader(redis, settings)
    hub = StreamHub(reader, max_clients=settings.sse_max_clients,
                    max_per_address=settings.sse_max_clients_per_address)
    answers = AnswerCache()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Read-only: the workers create the live-generation pointer (TallyStore.ensure_generation).
        hub.start()
        yield
        await hub.stop()
        await redis.aclose()

    async def ready() -> dict[str, Any]:
        try:
            live, building = await redis.mget(reader.keys.generation, reader.keys.building)
            beats = [k async for k in redis.scan_iter(match=reader.keys.heartbeat_pattern, count=1000)]
            attached = sum(1 for v in (await redis.mget(beats) if beats else []) if v == b"1")
        except Exception:
            return {"redis": False}
        return {"redis": True, "counters": live is not None and building is None, "consumers_attached": attached}

    app = create_base_app(
        title="sangkien tally",
        description="Live counters and rankings of the initiative campaigns (public), SSE stream and dashboard.",
        lifespan=lifespan, max_body_bytes=settings.max_body_bytes, ready=ready, settings=settings, labels=TALLY_LABELS,
    )
    app.state.reader = reader
    app.state.trusted_proxies = settings.trusted_proxies
    app.state.hub = hub
    app.state.answers = answers
    app.include_router(api_router())
    app.add_middleware(CachedReads, cache=answers, pointers=reader.pointers)
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        document = default_openapi()  # built once, then cached by FastAPI
        if first:  # add the models that only error responses refer to
            document.setdefault("components", {}).setdefault("schemas", {}).update(component_schemas())
        return document

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    async def dashboard() -> HTMLResponse:
        return HTMLResponse(DASHBOARD.read_text(encoding="utf-8"))

    return app
