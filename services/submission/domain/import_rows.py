"""Bulk import rows: the Vietnamese column layout, cell parsing, per-column errors, deterministic ids."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from services.submission.domain.campaign import CampaignConfig
from services.submission.domain.errors import UnreadableImportError
from services.submission.domain.initiative import (
    GRASSROOTS_LEVEL,
    InitiativeContent,
    missing_for_submission,
)
from services.submission.domain.text import fold, nfc
from shared.events import AuthorCategory, derive_id
from shared.union_tree import UnionTree

IMPORT_AUTHORS = 3


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: str
    example: str


_MAIN = (
    ImportColumn("unit_id", "Mã công đoàn cơ sở", "P24-03-002"),
    ImportColumn("title", "Tên sáng kiến", "Cải tiến quy trình đóng gói sản phẩm"),
    ImportColumn("field", "Lĩnh vực", "Sản xuất, kinh doanh"),
    ImportColumn("description", "Mô tả giải pháp", "Thay băng tải thủ công bằng băng tải có cảm biến đếm."),
    ImportColumn("date_first_applied", "Ngày áp dụng lần đầu", "15/03/2021"),
    ImportColumn("benefit_vnd", "Giá trị làm lợi (VNĐ/năm)", "120000000"),
    ImportColumn("effectiveness_summary", "Tóm tắt hiệu quả", "Giảm 30 % thời gian đóng gói."),
    ImportColumn("application_conditions", "Điều kiện áp dụng", "Dây chuyền có nguồn điện ổn định."),
    ImportColumn("first_application_participants", "Người tham gia áp dụng lần đầu", "Tổ đóng gói số 2"),
    ImportColumn("investor", "Chủ đầu tư", ""),
    ImportColumn("confidential", "Bảo mật (Có/Không)", "Không"),
    ImportColumn("confidential_details", "Thông tin cần bảo mật", ""),
)
_AUTHOR_PARTS = (
    ("name", "Họ và tên", "Nguyễn Thị Hoa"),
    ("date_of_birth", "Ngày sinh", "12/05/1985"),
    ("workplace", "Nơi công tác", "Công ty TNHH May Bắc Giang"),
    ("job_title", "Chức danh", "Tổ trưởng"),
    ("qualification", "Trình độ chuyên môn", "Trung cấp"),
    ("category", "Đối tượng (Công nhân/Đại học/Quản lý)", "Công nhân"),
    ("share_percent", "Tỷ lệ đóng góp (%)", "100"),
    ("member_id", "Mã đoàn viên", ""),
)
COLUMNS: tuple[ImportColumn, ...] = _MAIN + tuple(
    ImportColumn(f"author{n}_{key}", f"Tác giả {n} – {label}", example if n == 1 else "")
    for n in range(1, IMPORT_AUTHORS + 1)
    for key, label, example in _AUTHOR_PARTS
)
HEADER_OF = {c.key: c.header for c in COLUMNS}
REQUIRED_KEYS = ("unit_id", "title", "field", "author1_name", "author1_share_percent")
_KEY_BY_FOLDED = {fold(c.header): c.key for c in COLUMNS} | {c.key: c.key for c in COLUMNS}
_CATEGORIES = {
    "": AuthorCategory.WORKER, "cong nhan": AuthorCategory.WORKER, "worker": AuthorCategory.WORKER,
    "nguoi lao dong": AuthorCategory.WORKER, "dai hoc": AuthorCategory.GRADUATE,
    "tot nghiep dai hoc": AuthorCategory.GRADUATE, "graduate": AuthorCategory.GRADUATE,
    "quan ly": AuthorCategory.MANAGER, "manager": AuthorCategory.MANAGER,
}
_YES = {"co", "x", "yes", "true", "1"}
_NO = {"", "khong", "no", "false", "0"}
MIN_YEAR = 1900
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIAL_RANGE = (1, 2_958_465)  # 1900-01-01 … 9999-12-31
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """``fold`` for cells with few distinct values (fields, categories, yes/no)."""
    return fold(text)


def field_lookup(campaign: CampaignConfig) -> dict[str, str]:
    """Folded field code or label → code, built once per import."""
    lookup = {fold(f.label): f.code for f in campaign.fields}
    lookup.update({fold(f.code): f.code for f in campaign.fields})
    return lookup


def map_headers(headers: list[Any]) -> dict[int, str]:
    """Column index → field key; unknown headers are ignored; missing required ones are an error."""
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = _KEY_BY_FOLDED.get(fold(str(header))) if header is not None else None
        if key and key not in mapping.values():
            mapping[index] = key
    missing = [HEADER_OF[k] for k in REQUIRED_KEYS if k not in mapping.values()]
    if missing:
        raise UnreadableImportError(
            f"Thiếu cột: {', '.join(missing)} — download the template (GET /v1/imports/template.xlsx)",
            missing_columns=missing,
        )
    return mapping


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _date(text: str) -> date:
    if text.isdigit() and EXCEL_SERIAL_RANGE[0] <= int(text) <= EXCEL_SERIAL_RANGE[1]:
        return EXCEL_EPOCH + timedelta(days=int(text))  # a date cell of an XLSX file, read without styles
    parts = re.split(r"[/.-]", text)
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = (parts[2], parts[1], parts[0]) if len(parts[0]) == 4 else parts
        try:
            parsed = date(int(year), int(month), int(day))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.year >= MIN_YEAR:
            return parsed
        raise ValueError("ngày phải có dạng dd/mm/yyyy, năm có 4 chữ số")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("ngày phải có dạng dd/mm/yyyy")


def _money(text: str) -> int:
    cleaned = re.sub(r"[\s.,]|vnđ|vnd|đ", "", text.casefold())
    if not cleaned.isdigit():
        raise ValueError("giá trị làm lợi phải là số nguyên VNĐ, không âm")
    return int(cleaned)


def _share(text: str) -> Decimal:
    try:
        value = Decimal(text.replace("%", "").replace(",", ".").strip())
    except InvalidOperation as exc:
        raise ValueError("tỷ lệ đóng góp phải là số, ví dụ 60 hoặc 33,33") from exc
    if not Decimal(0) < value <= Decimal(100) or value != value.quantize(Decimal("0.01")):
        raise ValueError("tỷ lệ đóng góp phải lớn hơn 0, không quá 100, tối đa 2 chữ số thập phân")
    return value


@dataclass
class ParsedRow:
    content: InitiativeContent | None
    errors: list[tuple[str, str]]  # (column header, message)


RowScope = Callable[[tuple[str, ...]], bool]


def parse_row(
    cells: Mapping[str, str], *, fields: Mapping[str, str], tree: UnionTree, today: date, in_scope: RowScope,
    for_submission: bool,
) -> ParsedRow:
    """Validate one row completely, collecting every error with the column it belongs to."""
    errors: list[tuple[str, str]] = []

    def fail(key: str, message: str) -> None:
        errors.append((HEADER_OF[key], message))

    data: dict[str, Any] = {k: cells.get(k, "") for k in (c.key for c in _MAIN)}
    unit_id = data["unit_id"]
    if not unit_id:
        fail("unit_id", "Thiếu mã công đoàn cơ sở")
    elif unit_id not in tree:
        fail("unit_id", f"Không có đơn vị mã {unit_id}")
    elif tree.level(unit_id) != GRASSROOTS_LEVEL:
        fail("unit_id", f"{unit_id} không phải công đoàn cơ sở (cấp 4)")
    elif not in_scope(tuple(tree.path(unit_id))):
        fail("unit_id", f"Đơn vị {unit_id} nằm ngoài phạm vi của bạn")
    if not data["title"]:
        fail("title", "Thiếu tên sáng kiến")
    field = fields.get(_fold(data["field"])) if data["field"] else None
    if field is None:
        fail("field", f"Lĩnh vực {data['field']!r} không có trong phong trào" if data["field"] else "Thiếu lĩnh vực")
    data["field"] = field or ""
    for key, parse in (("date_first_applied", _date), ("benefit_vnd", _money)):
        if data[key]:
            try:
                data[key] = parse(data[key])
            except ValueError as exc:
                fail(key, _sentence(str(exc)))
        else:
            data[key] = None if key == "date_first_applied" else 0
    if isinstance(data["date_first_applied"], date) and data["date_first_applied"] > today:
        fail("date_first_applied", "Ngày áp dụng lần đầu ở tương lai")
    flag = _fold(data["confidential"])
    if flag not in _YES | _NO:
        fail("confidential", "Ghi Có hoặc Không")
    data["confidential"] = flag in _YES
    data["authors"] = _authors(cells, fail)
    shares = [a["share_percent"] for a in data["authors"] if isinstance(a.get("share_percent"), Decimal)]
    if data["authors"] and len(shares) == len(data["authors"]) and sum(shares, Decimal(0)) != Decimal(100):
        fail("author1_share_percent", f"Tổng tỷ lệ đóng góp là {sum(shares, Decimal(0))} %, phải bằng 100 %")
    if errors:
        return ParsedRow(None, errors)
    try:
        content = InitiativeContent.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            return ParsedRow(None, [(_header_for(err["loc"]), f"Không hợp lệ: {err['msg']}")])
        raise
    if for_submission:
        for name in missing_for_submission(content):
            fail(name, "Cần điền để gửi sáng kiến (phong trào đang mở)")
    return ParsedRow(None if errors else content, errors)


def _authors(cells: Mapping[str, str], fail: Callable[[str, str], None]) -> list[dict[str, Any]]:
    found = []
    for n in range(1, IMPORT_AUTHORS + 1):
        raw = {key: cells.get(f"author{n}_{key}", "") for key, _, _ in _AUTHOR_PARTS}
        if not any(raw.values()):
            continue
        author: dict[str, Any] = dict(raw)
        if not raw["name"]:
            fail(f"author{n}_name", f"Thiếu họ tên tác giả {n}")
        author["member_id"] = raw["member_id"] or None
        author["date_of_birth"] = None
        if raw["date_of_birth"]:
            try:
                author["date_of_birth"] = _date(raw["date_of_birth"])
            except ValueError as exc:
                fail(f"author{n}_date_of_birth", _sentence(str(exc)))
        category = _CATEGORIES.get(_fold(raw["category"]))
        if category is None:
            fail(f"author{n}_category", "Đối tượng phải là Công nhân, Đại học hoặc Quản lý")
        author["category"] = category or AuthorCategory.WORKER
        if not raw["share_percent"]:
            fail(f"author{n}_share_percent", f"Thiếu tỷ lệ đóng góp của tác giả {n}")
        else:
            try:
                author["share_percent"] = _share(raw["share_percent"])
            except ValueError as exc:
                fail(f"author{n}_share_percent", _sentence(str(exc)))
        found.append(author)
    if not found:
        fail("author1_name", "Cần ít nhất một tác giả")
    return found


def _header_for(loc: tuple[int | str, ...]) -> str:
    if loc and loc[0] == "authors" and len(loc) >= 3:
        key = f"author{int(loc[1]) + 1}_{loc[2]}"
    else:
        key = str(loc[0]) if loc else "title"
    return HEADER_OF.get(key, HEADER_OF["title"])


def import_id(campaign_id: str, content: InitiativeContent) -> uuid.UUID:
    """The same row content in the same campaign is the same initiative, however often it is uploaded."""
    digest = hashlib.sha256(content.model_dump_json().encode()).hexdigest()
    return derive_id("import", campaign_id, digest)
