"""Response models of tally's public read API: the exact JSON the dashboard and the simulator read.

The read use cases (``reads.py``) build plain dicts, which the stream also sends as they are; these
models describe and check those dicts on the way out of the HTTP API. Field order follows the JSON:
a model's bases listed last come first (``class UnitRow(Counters, _Unit)`` = unit, then counters).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema, models_json_schema

from services.tally.reads import RebuildingError
from shared.problems import PROBLEM_MEDIA_TYPE, NotFoundError, RateLimitedError, UnprocessableError

Metric = Literal["initiatives", "votes", "awards"]
TableMetric = Literal["initiatives", "votes"]

CampaignId = Annotated[str, Field(description="Campaign id", examples=["c2021"])]
UnitId = Annotated[str, Field(description="Unit id in the union tree; `*` is the nation", examples=["P24"])]
UnitName = Annotated[str, Field(
    description="Unit name as users see it; `Toàn quốc` for the nation, the id itself for a unit not in the tree",
    examples=["Liên đoàn Lao động tỉnh Bắc Giang"],
)]
Rank = Annotated[int, Field(ge=1, description="1 = highest; equal values are ordered by id ascending")]
Progress = Annotated[float | None, Field(
    description="Initiatives submitted ÷ target (or quota), rounded to 4 places; may exceed 1; "
                "null when there is no target", examples=[0.4127],
)]
Quota = Annotated[int | None, Field(description="The unit's quota of initiatives in this campaign; null if none")]
CountByKey = dict[str, int]


class Counters(BaseModel):
    """The counters every scope (nation, unit) carries. Only submitted (not withdrawn) initiatives count."""

    submitted: int = Field(description="Initiatives submitted and not withdrawn")
    votes: int = Field(description="Votes cast for those initiatives")
    benefit: int = Field(description="Declared economic benefit of those initiatives, in VND")
    recognised: int = Field(description="Initiatives recognised by a review at any level")
    awards: int = Field(description="Awards granted and not revoked")
    withdrawn: int = Field(description="Initiatives withdrawn (not counted anywhere else)")
    awards_by_level: CountByKey = Field(
        description="Awards by granting level (`1` = VGCL … `4` = grassroots); zero counts left out",
        examples=[{"2": 12, "3": 40}],
    )
    awards_by_kind: CountByKey = Field(
        description="Awards by kind (`giay_khen`, `bang_khen`, `bang_khen_tld`, `bang_lao_dong_sang_tao`)",
        examples=[{"bang_khen": 12, "giay_khen": 40}],
    )
    awards_by_grade: CountByKey = Field(
        description="Awards by grade (`tieu_bieu`, `xuat_sac`); awards without a grade are left out",
        examples=[{"xuat_sac": 3}],
    )
    recognised_by_level: CountByKey = Field(
        description="Initiatives recognised at each review level (`1` … `4`)", examples=[{"3": 52, "4": 180}],
    )


class _Unit(BaseModel):
    unit_id: UnitId
    name: UnitName


class CampaignSummary(BaseModel):
    campaign_id: CampaignId
    name: str = Field(description="Campaign name", examples=["75 nghìn sáng kiến vượt khó, phát triển"])
    target: int = Field(description="Target number of initiatives; 0 when none was set")
    submitted: int = Field(description="Initiatives submitted nationwide and not withdrawn")


class CampaignList(BaseModel):
    """Every campaign with any event, by id."""

    campaigns: list[CampaignSummary]


class _TotalsHead(BaseModel):
    campaign_id: CampaignId
    name: str = Field(description="Campaign name; empty until the campaign's configuration arrives")
    target: int = Field(description="Target number of initiatives; 0 when none was set")
    version: int = Field(description="Change counter: grows with every event applied to this campaign")


class CampaignTotals(Counters, _TotalsHead):
    """National counters of one campaign; an unknown campaign answers zeros."""

    progress: Progress
    by_field: CountByKey = Field(
        description="Initiatives submitted per field of activity; fields with none left out",
        examples=[{"ATVSLĐ": 120, "Môi trường": 45}],
    )


class UnitRow(Counters, _Unit):
    """A child unit's counters inside its parent's breakdown."""

    quota: Quota
    progress: Progress


class _UnitHead(BaseModel):
    campaign_id: CampaignId
    unit_id: UnitId
    name: UnitName
    level: int = Field(ge=0, le=4, description="Level in the union tree: 0 nation, 1 VGCL, 2 province/sector, "
                                                 "3 district/industry, 4 grassroots")


class UnitDetail(Counters, _UnitHead):
    """A unit's counters with each direct child's (the nation's child is VGCL)."""

    quota: Quota
    progress: Progress
    children: list[UnitRow] = Field(description="Direct children, most initiatives first, then by id")


class RankedUnit(BaseModel):
    rank: Rank
    unit_id: UnitId
    name: UnitName
    value: int = Field(description="The ranked metric's count")


class UnitRanking(BaseModel):
    """Direct children of a unit, highest metric first."""

    campaign_id: CampaignId
    parent_id: UnitId
    metric: Metric = Field(description="`initiatives` submitted, `votes` cast or `awards` granted")
    ranking: list[RankedUnit]

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "campaign_id": "c2021", "parent_id": "VGCL", "metric": "votes", "ranking": [
            {"rank": 1, "unit_id": "P40", "name": "Liên đoàn Lao động tỉnh Nghệ An", "value": 5},
            {"rank": 2, "unit_id": "P24", "name": "Liên đoàn Lao động tỉnh Bắc Giang", "value": 3},
        ],
    }]})


class _RankedInitiative(BaseModel):
    rank: Rank
    initiative_id: str = Field(description="Initiative id (a UUID)")
    title: str = Field(description="Initiative title", examples=["Cải tiến dây chuyền may"])
    votes: int = Field(description="Votes cast for it")


class ConfidentialInitiative(_RankedInitiative):
    """A confidential initiative (technology secret): its title and votes only, no unit or field."""

    confidential: Literal[True]


class PublicInitiative(_RankedInitiative):
    """An initiative anyone may see in full: with its unit and field."""

    confidential: Literal[False]
    unit_id: str = Field(description="The grassroots (or lowest) unit the initiative belongs to",
                         examples=["P24-03-003"])
    unit_name: UnitName
    field: str = Field(description="Field of activity", examples=["ATVSLĐ"])


class TopInitiatives(BaseModel):
    """Initiatives of a unit's subtree (or the nation) ranked by votes."""

    campaign_id: CampaignId
    unit_id: UnitId
    initiatives: list[PublicInitiative | ConfidentialInitiative] = Field(
        description="Most votes first, equal votes by id; confidential ones carry no unit or field",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "campaign_id": "c2021", "unit_id": "*", "initiatives": [
            {"rank": 1, "initiative_id": "00000000-0000-0000-0000-000000000002", "title": "Quy trình bí mật",
             "votes": 5, "confidential": True},
            {"rank": 2, "initiative_id": "00000000-0000-0000-0000-000000000001",
             "title": "Cải tiến dây chuyền may", "votes": 3, "confidential": False, "unit_id": "P24-03-003",
             "unit_name": "Công đoàn cơ sở Công ty Cổ phần Môi trường Đô thị Việt Hưng", "field": "ATVSLĐ"},
        ],
    }]})


class DayCount(BaseModel):
    day: date = Field(description="Day in Asia/Ho_Chi_Minh")
    submitted: int = Field(description="Initiatives submitted that day (and not withdrawn since)")
    votes: int = Field(description="Votes cast that day")


class DailySeries(BaseModel):
    """Per-day counts of a unit's subtree (or the nation), without leading or trailing empty days."""

    campaign_id: CampaignId
    unit_id: UnitId
    name: UnitName
    series: list[DayCount] = Field(description="Consecutive days, oldest first (at most the last 400)")


class UnitDays(_Unit):
    counts: list[int] = Field(description="One count per entry of `days`")
    total: int = Field(description="Sum of `counts`")


class DailyTable(BaseModel):
    """Direct children of a unit × days, like the 2021 portal's daily tables; empty days left out."""

    campaign_id: CampaignId
    parent_id: UnitId
    metric: TableMetric = Field(description="`initiatives` submitted or `votes` cast")
    days: list[date] = Field(description="Days (Asia/Ho_Chi_Minh) with any count in the table, oldest first")
    rows: list[UnitDays] = Field(description="One row per child unit, highest total first, then by id")


class ValidationIssue(BaseModel):
    loc: list[str] = Field(description="Where: `query` or `path`, then the parameter's name",
                           examples=[["query", "limit"]])
    msg: str = Field(description="What is wrong, in pydantic's English")
    type: str = Field(description="Pydantic error type", examples=["greater_than_equal"])
    label: str = Field(description="The parameter's Vietnamese name", examples=["Số dòng"])
    message_vi: str = Field(description="What is wrong, in Vietnamese", examples=["phải lớn hơn hoặc bằng 1"])


def _absent_not_null(schema: dict[str, Any]) -> None:
    """Optional fields here are left out of the JSON, never null: drop the ``default: null`` pydantic shows."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class ProblemDetails(BaseModel):
    """An error as RFC 9457 problem details; ``type`` is stable per kind of error."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_absent_not_null)

    type: str = Field(description="URI naming the kind of error", examples=["https://sangkien.vn/problems/not-found"])
    title: str = Field(description="Short summary, Vietnamese / English")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What went wrong in this request")
    instance: str | SkipJsonSchema[None] = Field(None, description="The request path")
    retry_after: int | SkipJsonSchema[None] = Field(None, description="Seconds to wait before retrying (503)")
    errors: list[ValidationIssue] | SkipJsonSchema[None] = Field(None, description="Every invalid parameter (422)")


def component_schemas() -> dict[str, Any]:
    """Schemas the documented responses refer to but no route returns as its model (for ``components``)."""
    _, top = models_json_schema([(ProblemDetails, "serialization")], ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = top["$defs"]
    return schemas


def _problem(description: str, example: dict[str, Any], **extra: Any) -> dict[str, Any]:
    content = {"schema": {"$ref": "#/components/schemas/ProblemDetails"}, "example": example}
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: content}, **extra}


_PROBLEMS: dict[int, dict[str, Any]] = {
    404: _problem("Unknown unit (not in the union tree)", NotFoundError(
        "Không có đơn vị 'P99' — unknown unit; use an id from the union tree",
    ).body("/v1/campaigns/c2021/units/P99")),
    422: _problem("Invalid parameter", UnprocessableError(
        "query.limit: Input should be greater than or equal to 1",
        errors=[{"loc": ["query", "limit"], "msg": "Input should be greater than or equal to 1",
                 "type": "greater_than_equal"}],
    ).body("/v1/campaigns/c2021/rankings")),
    503: _problem(
        "Counters are being rebuilt (or Redis lost them): retry after `Retry-After` seconds",
        RebuildingError.retry_soon().body("/v1/campaigns/c2021/totals"),
        headers={"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    ),
}


STREAM_PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: _problem("A campaign tally has no counters of", NotFoundError(
        "Chưa có số liệu của đợt thi đua 'c1999' — no counters of campaign 'c1999'").body("/v1/stream")),
    422: _PROBLEMS[422],
    429: _problem("Too many live streams from this client address", RateLimitedError(
        "Mỗi địa chỉ chỉ được mở tối đa 50 kết nối trực tiếp — at most 50 live streams per client address",
        limit=50, retry_after=5).body("/v1/stream")),
    503: _problem(
        "Counters are being rebuilt, or this server streams to as many clients as it may: retry after "
        "`Retry-After` seconds", RebuildingError.retry_soon().body("/v1/stream"),
        headers={"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    ),
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problems a route can answer with."""
    return {status: _PROBLEMS[status] for status in statuses}
