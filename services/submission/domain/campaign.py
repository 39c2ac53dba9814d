"""Campaigns: windows (UTC, shown in Vietnam time), fields, quotas, and the default 2021 and demo campaigns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.submission.domain.text import Label, Name, fold
from shared.events import CAMPAIGN_ID_PATTERN

VIETNAM = timezone(timedelta(hours=7), "ICT")  # Asia/Ho_Chi_Minh has had no DST since 1975
CAMPAIGN_2021 = "75k-2021"
DEMO_CAMPAIGN = "demo"
DEMO_TARGET = 10_000

CampaignId = Annotated[str, Field(pattern=CAMPAIGN_ID_PATTERN)]
FieldCode = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]


def vietnam_time(moment: datetime) -> str:
    """A moment as people in Vietnam read it: "20/04/2021 23:55"."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def vietnam_today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


class FieldOption(BaseModel):
    """A field of application (lĩnh vực áp dụng) that a campaign accepts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: FieldCode
    label: Label


class Window(BaseModel):
    """A half-open time window [opens_at, closes_at) in UTC."""

    model_config = ConfigDict(frozen=True)

    opens_at: datetime
    closes_at: datetime

    def contains(self, moment: datetime) -> bool:
        return self.opens_at <= moment < self.closes_at

    def describe(self) -> str:
        return f"{vietnam_time(self.opens_at)} – {vietnam_time(self.closes_at)} (giờ Việt Nam, UTC+7)"


class CampaignConfig(BaseModel):
    """What an admin configures; the HTTP body of create and update."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    target: int = Field(ge=0, le=100_000_000)
    submission_opens_at: AwareDatetime
    submission_closes_at: AwareDatetime
    submission_extended_until: AwareDatetime | None = None
    voting_opens_at: AwareDatetime
    voting_closes_at: AwareDatetime
    review_opens_at: AwareDatetime | None = None
    national_selection_opens_at: AwareDatetime | None = None
    fields: tuple[FieldOption, ...] = Field(min_length=1, max_length=50)
    quotas: dict[Annotated[str, Field(max_length=32)], Annotated[int, Field(ge=0, le=10_000_000)]] = Field(
        default_factory=dict, max_length=200,
    )

    @field_validator(
        "submission_opens_at", "submission_closes_at", "submission_extended_until", "voting_opens_at",
        "voting_closes_at", "review_opens_at", "national_selection_opens_at",
    )
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    @model_validator(mode="after")
    def _windows_in_order(self) -> CampaignConfig:
        if self.submission_closes_at <= self.submission_opens_at:
            raise ValueError("Thời điểm đóng nhận sáng kiến phải sau thời điểm mở"
                             " — submission_closes_at must be after submission_opens_at")
        if self.submission_extended_until and self.submission_extended_until < self.submission_closes_at:
            raise ValueError("Thời điểm gia hạn không được trước thời điểm đóng nhận sáng kiến"
                             " — submission_extended_until must not be before submission_closes_at")
        if self.voting_closes_at <= self.voting_opens_at:
            raise ValueError("Thời điểm đóng bình chọn phải sau thời điểm mở"
                             " — voting_closes_at must be after voting_opens_at")
        codes = [f.code for f in self.fields]
        if len(set(codes)) != len(codes):
            raise ValueError("Mã lĩnh vực không được trùng nhau — field codes must be unique")
        return self

    @property
    def submission_window(self) -> Window:
        """The window with its extension, if any."""
        closes = self.submission_extended_until or self.submission_closes_at
        return Window(opens_at=self.submission_opens_at, closes_at=closes)

    @property
    def voting_window(self) -> Window:
        return Window(opens_at=self.voting_opens_at, closes_at=self.voting_closes_at)

    @property
    def field_codes(self) -> frozenset[str]:
        return frozenset(f.code for f in self.fields)

    def field_code_for(self, code_or_label: str) -> str | None:
        """Accept a field by code or by its Vietnamese label (imports use labels), ignoring diacritics and case."""
        wanted = fold(code_or_label)
        for option in self.fields:
            if wanted in (fold(option.code), fold(option.label)):
                return option.code
        return None


class Campaign(CampaignConfig):
    """A stored campaign: its configuration plus identity and version."""

    id: CampaignId
    version: int = Field(ge=1)


CAMPAIGN_FIELDS: tuple[FieldOption, ...] = tuple(
    FieldOption(code=code, label=label)
    for code, label in (
        ("atvsld", "An toàn, vệ sinh lao động"),
        ("moi_truong", "Môi trường"),
        ("cai_cach_hanh_chinh", "Cải cách hành chính"),
        ("quan_ly", "Quản lý"),
        ("y_te", "Y tế"),
        ("giao_duc", "Giáo dục"),
        ("san_xuat_kinh_doanh", "Sản xuất, kinh doanh"),
        ("cong_tac_cong_doan", "Công tác công đoàn"),
        ("san_pham_moi", "Sản phẩm mới"),
        ("phuc_vu_cong_dong", "Phục vụ cộng đồng"),
    )
)


def _vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM).astimezone(UTC)


def campaign_2021(quotas: dict[str, int]) -> CampaignConfig:
    """Kế hoạch 88/KH-TLĐ: 75,000 initiatives, portal open 03/02/2021 until 23:55 on 20/04/2021."""
    return CampaignConfig(
        name="Phong trào 75 nghìn sáng kiến vượt khó, phát triển",
        target=75_000,
        submission_opens_at=_vn(2021, 2, 3),
        submission_closes_at=_vn(2021, 4, 20, 23, 55),
        voting_opens_at=_vn(2021, 2, 3),
        voting_closes_at=_vn(2021, 4, 20, 23, 55),
        review_opens_at=_vn(2021, 4, 21),
        national_selection_opens_at=_vn(2021, 4, 22),
        fields=CAMPAIGN_FIELDS,
        quotas=quotas,
    )


def demo_campaign(now: datetime, quotas: dict[str, int]) -> CampaignConfig:
    """An open campaign for trying the running platform: windows from 30 days ago to a year ahead."""
    today = vietnam_today(now)
    opens = datetime(today.year, today.month, today.day, tzinfo=VIETNAM) - timedelta(days=30)
    closes = opens + timedelta(days=396)
    return CampaignConfig(
        name="Sáng kiến vì người lao động (thử nghiệm)",
        target=DEMO_TARGET,
        submission_opens_at=opens,
        submission_closes_at=closes,
        voting_opens_at=opens,
        voting_closes_at=closes,
        fields=CAMPAIGN_FIELDS,
        quotas=quotas,
    )
