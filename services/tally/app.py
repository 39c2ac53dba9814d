"""The tally HTTP service: public read API, the live SSE stream and the dashboard page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import redis.asyncio as aioredis
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, StreamingResponse

from services.tally.keys import NATION
from services.tally.reads import TallyReader
from services.tally.schemas import (
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
sections that changed since (latest values win for a slow client), with `: keep-alive` comments every 15 s.
Each event's `data` is one JSON object with some of: `totals` (as `/totals`), `top_units_initiatives` and
`top_units_votes` (as `/rankings` of the level-2 units, top 10), `top_initiatives` (as `/top-initiatives`,
top 10), `daily` (as `/daily` of the nation) and `rebuilding` (`true` while the counters are rebuilt:
then no other section is sent)."""
SSE_EXAMPLE = 'event: snapshot\ndata: {"totals":{"campaign_id":"c2021","submitted":2},"rebuilding":false}\n\n'


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


def _reader(request: Request) -> TallyReader:
    reader: TallyReader = request.app.state.reader
    return reader


def api_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["tally (public)"])
    with_unit = problem_responses(404, 422, 503)
    with_params = problem_responses(422, 503)

    @router.get("/campaigns", summary="Campaigns with counters", response_model=CampaignList,
                responses=problem_responses(503))
    async def campaigns(request: Request) -> dict[str, Any]:
        return {"campaigns": await _reader(request).campaigns()}

    @router.get("/campaigns/{campaign_id}/totals", summary="National totals and progress to the target",
                response_model=CampaignTotals, responses=with_params)
    async def totals(request: Request, campaign_id: CampaignId) -> dict[str, Any]:
        return await _reader(request).totals(campaign_id)

    @router.get("/campaigns/{campaign_id}/units/{unit_id}", summary="A unit's counters with its children's breakdown",
                response_model=UnitDetail, responses=with_unit)
    async def unit(
        request: Request, campaign_id: CampaignId,
        unit_id: Annotated[str, PathParam(min_length=1, max_length=64, description="Unit id (union tree) or * for "
                                                                                   "the nation", examples=["P24"])],
    ) -> dict[str, Any]:
        return await _reader(request).unit(campaign_id, unit_id)

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
    ) -> dict[str, Any]:
        reader = _reader(request)
        return await reader.rankings(campaign_id, parent_id=parent or reader.tree_root(), metric=metric, limit=limit)

    @router.get("/campaigns/{campaign_id}/top-initiatives", summary="Initiatives ranked by votes (nation or unit)",
                response_model=TopInitiatives, responses=with_unit)
    async def top_initiatives(
        request: Request, campaign_id: CampaignId, unit: UnitId = NATION, limit: Limit = 10,
    ) -> dict[str, Any]:
        return await _reader(request).top_initiatives(campaign_id, unit_id=unit, limit=limit)

    @router.get("/campaigns/{campaign_id}/daily", summary="Initiatives and votes per day (Asia/Ho_Chi_Minh)",
                response_model=DailySeries, responses=with_unit)
    async def daily(request: Request, campaign_id: CampaignId, unit: UnitId = NATION) -> dict[str, Any]:
        return await _reader(request).daily(campaign_id, unit_id=unit)

    @router.get("/campaigns/{campaign_id}/daily-table", summary="Units × days table, like the 2021 portal's",
                response_model=DailyTable, responses=with_unit)
    async def daily_table(
        request: Request, campaign_id: CampaignId,
        parent: ParentId = None,
        metric: TableMetric = "initiatives",
    ) -> dict[str, Any]:
        reader = _reader(request)
        return await reader.daily_table(campaign_id, parent_id=parent or reader.tree_root(), metric=metric)

    @router.get(
        "/stream", summary="Server-Sent Events: coalesced changes of one campaign", response_class=EventStreamResponse,
        responses={200: {"description": SSE_DESCRIPTION, "content": {"text/event-stream": {"example": SSE_EXAMPLE}}},
                   **problem_responses(422)},
    )
    async def stream(
        request: Request, campaign_id: Annotated[str, Query(min_length=1, max_length=64, description="Campaign id")],
    ) -> EventStreamResponse:
        hub: StreamHub = request.app.state.hub
        return EventStreamResponse(
            hub.events(campaign_id), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return router


def create_app(settings: Settings | None = None) -> FastAPI:
    """The tally API application (``uvicorn --factory services.tally.app:create_app``)."""
    settings = settings or get_settings()
    redis = aioredis.Redis.from_url(settings.redis_url, max_connections=512)
    reader = TallyReader(redis, settings)
    hub = StreamHub(reader)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await redis.set(reader.keys.generation, "0", nx=True)
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
        lifespan=lifespan, max_body_bytes=settings.max_body_bytes, ready=ready,
    )
    app.state.reader = reader
    app.state.hub = hub
    app.include_router(api_router())
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
