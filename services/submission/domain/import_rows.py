"""Bulk import rows: the Vietnamese column layout, cell parsing, per-column errors, deterministic ids."""

from __future__ import annotations

import hashlib
import re
import typing
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, TypeVar

from annotated_types import Le, MaxLen
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from services.submission.domain.campaign import CampaignConfig
from services.submission.domain.errors import UnreadableImportError
from services.submission.domain.initiative import (
    GRASSROOTS_LEVEL,
    AuthorData,
    InitiativeContent,
    missing_for_submission,
)
from services.submission.domain.text import fold, nfc
from shared.events import AuthorCategory, derive_id
from shared.union_tree import UnionTree
from shared.validation_messages import message_vi

T = TypeVar("T")

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


@lru_cache(maxsize=65_536)
def _fold_word(word: str) -> str:
    return fold(word)


def fold_title(title: str) -> str:
    """``fold(title)``, word by word through a cache: an import's titles share most of their syllables.

    The same result because ``fold`` changes each character on its own (đ → d, decomposition, combining marks
    dropped, case folded) before it collapses whitespace; a word that folds to nothing (only marks) is dropped.
    """
    return " ".join(folded for folded in map(_fold_word, title.split()) if folded)


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
    if type(value) is str:  # the usual cell; printable ASCII needs no normalising, only stripping
        if value.isascii() and value.isprintable():
            return value.strip()
        text = nfc(value)
        # Dropping a control character can leave text that is not NFC; one more pass makes ``nfc`` a no-op on it.
        return text if unicodedata.is_normalized("NFC", text) else nfc(text)
    if value is None:
        return ""
    if type(value) is int:
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = nfc(str(value))
    # Dropping a control character can leave text that is not NFC; one more pass makes ``nfc`` a no-op on it.
    return text if text.isascii() or unicodedata.is_normalized("NFC", text) else nfc(text)


def _remembered(verdicts: dict[str, T | str], text: str, parse: Callable[[str], T]) -> T | str:
    """``parse(text)``, or its error message, remembered per distinct cell text (bounded: 100,000 texts)."""
    found = verdicts.get(text)
    if found is None:
        try:
            found = parse(text)
        except ValueError as exc:
            found = _sentence(str(exc))
        if len(verdicts) < 100_000:
            verdicts[text] = found
    return found


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
_MAIN_KEYS = tuple(c.key for c in _MAIN)
_AUTHOR_KEYS = tuple(
    (n, tuple((part, f"author{n}_{part}") for part, _, _ in _AUTHOR_PARTS)) for n in range(1, IMPORT_AUTHORS + 1)
)
_HUNDRED = Decimal(100)


def _max_lengths(model: type[BaseModel]) -> dict[str, int]:
    """Each string field's ``max_length`` as the model declares it (also inside ``Optional[Annotated[…]]``)."""

    def limits(node: Any) -> list[int]:
        if isinstance(node, MaxLen):
            return [node.max_length]
        if isinstance(node, FieldInfo):
            return [m for item in node.metadata for m in limits(item)]
        return [m for arg in typing.get_args(node) for m in limits(arg)]

    def textual(node: Any) -> bool:
        return node is str or any(textual(arg) for arg in typing.get_args(node))

    found = {}
    for name, info in model.model_fields.items():
        if textual(info.annotation):
            lengths = limits(info) + limits(info.annotation)
            found[name] = min(lengths) if lengths else 0
    return found


_CONTENT_LIMITS = tuple(_max_lengths(InitiativeContent).items())
_AUTHOR_LIMITS = tuple(_max_lengths(AuthorData).items())
_BENEFIT_MAX = next(m.le for m in InitiativeContent.model_fields["benefit_vnd"].metadata if isinstance(m, Le))
_CENT = Decimal("0.01")


def _construct(data: dict[str, Any]) -> InitiativeContent | None:
    """The content ``model_validate`` would build, without re-running its per-string validators; None when in doubt.

    ``parse`` has already checked what the model checks except string lengths and the benefit's ceiling, and every
    string comes from ``cell_text``, on which the models' ``Clean`` (``nfc``) changes nothing. A row that breaks a
    limit returns None and goes through ``model_validate``, which names the error.
    """
    if not 0 <= data["benefit_vnd"] <= _BENEFIT_MAX:
        return None
    for name, limit in _CONTENT_LIMITS:
        if len(data[name]) > limit:
            return None
    found = []
    for author in data["authors"]:
        for name, limit in _AUTHOR_LIMITS:
            value = author[name]
            if value is not None and len(value) > limit:
                return None
        found.append(AuthorData.model_construct(**{**author, "share_percent": author["share_percent"].quantize(_CENT)}))
    return InitiativeContent.model_construct(**{**data, "authors": tuple(found)})


class RowParser:
    """Validates rows of one import; what repeats across rows (units, dates, shares, labels) is judged once."""

    def __init__(
        self, *, fields: Mapping[str, str], tree: UnionTree, today: date, in_scope: RowScope, for_submission: bool,
    ) -> None:
        self.fields = fields
        self.tree = tree
        self.today = today
        self.in_scope = in_scope
        self.for_submission = for_submission
        self._units: dict[str, str | None] = {}  # unit id → error message, None when the unit is fine
        self._dates: dict[str, date | str] = {}  # cell → date, or the error message
        self._shares: dict[str, Decimal | str] = {}

    def _unit_error(self, unit_id: str) -> str | None:
        if unit_id in self._units:
            return self._units[unit_id]
        tree = self.tree
        message = None
        if not unit_id:
            message = "Thiếu mã công đoàn cơ sở"
        elif unit_id not in tree:
            message = f"Không có đơn vị mã {unit_id}"
        elif tree.level(unit_id) != GRASSROOTS_LEVEL:
            message = f"{unit_id} không phải công đoàn cơ sở (cấp 4)"
        elif not self.in_scope(tuple(tree.path(unit_id))):
            message = f"Đơn vị {unit_id} nằm ngoài phạm vi của bạn"
        if len(self._units) < 100_000:
            self._units[unit_id] = message
        return message

    def _date(self, text: str) -> date | str:
        return _remembered(self._dates, text, _date)

    def _share(self, text: str) -> Decimal | str:
        return _remembered(self._shares, text, _share)

    def parse(self, cells: Mapping[str, str]) -> ParsedRow:
        """Validate one row of ``cell_text`` values (a missing key is an empty cell), collecting every error with
        the column it belongs to."""
        errors: list[tuple[str, str]] = []

        def fail(key: str, message: str) -> None:
            errors.append((HEADER_OF[key], message))

        get = cells.get
        data: dict[str, Any] = {k: get(k, "") for k in _MAIN_KEYS}
        unit_message = self._unit_error(data["unit_id"])
        if unit_message is not None:
            fail("unit_id", unit_message)
        if not data["title"]:
            fail("title", "Thiếu tên sáng kiến")
        field_text = data["field"]
        field = self.fields.get(_fold(field_text)) if field_text else None
        if field is None:
            fail("field", f"Lĩnh vực {field_text!r} không có trong phong trào" if field_text else "Thiếu lĩnh vực")
        data["field"] = field or ""
        applied_text = data["date_first_applied"]
        applied: date | str | None = self._date(applied_text) if applied_text else None
        if isinstance(applied, str):
            fail("date_first_applied", applied)
        data["date_first_applied"] = applied
        benefit_text = data["benefit_vnd"]
        if benefit_text:
            try:
                plain = benefit_text.isascii() and benefit_text.isdigit()
                data["benefit_vnd"] = int(benefit_text) if plain else _money(benefit_text)
            except ValueError as exc:
                fail("benefit_vnd", _sentence(str(exc)))
        else:
            data["benefit_vnd"] = 0
        if isinstance(applied, date) and applied > self.today:
            fail("date_first_applied", "Ngày áp dụng lần đầu ở tương lai")
        flag = _fold(data["confidential"])
        if flag not in _YES and flag not in _NO:
            fail("confidential", "Ghi Có hoặc Không")
        data["confidential"] = flag in _YES
        found = self._authors(get, fail)
        data["authors"] = found
        shares = [a["share_percent"] for a in found if isinstance(a.get("share_percent"), Decimal)]
        if found and len(shares) == len(found):
            total = sum(shares, Decimal(0))
            if total != _HUNDRED:
                fail("author1_share_percent", f"Tổng tỷ lệ đóng góp là {total} %, phải bằng 100 %")
        if errors:
            return ParsedRow(None, errors)
        content = _construct(data)
        if content is None:
            try:
                content = InitiativeContent.model_validate(data)
            except ValidationError as exc:
                for err in exc.errors():  # the row's first problem, said in Vietnamese as a 422 says it
                    message = message_vi(err)
                    return ParsedRow(None, [(_header_for(err["loc"]), message[:1].upper() + message[1:])])
                raise
        if self.for_submission:
            for name in missing_for_submission(content):
                fail(name, "Cần điền để gửi sáng kiến (phong trào đang mở)")
        return ParsedRow(None if errors else content, errors)

    def _authors(
        self, get: Callable[[str, str], str], fail: Callable[[str, str], None],
    ) -> list[dict[str, Any]]:
        found = []
        for n, keys in _AUTHOR_KEYS:
            author: dict[str, Any] = {part: get(key, "") for part, key in keys}
            if not any(author.values()):
                continue
            if not author["name"]:
                fail(f"author{n}_name", f"Thiếu họ tên tác giả {n}")
            author["member_id"] = author["member_id"] or None
            born_text = author["date_of_birth"]
            born = self._date(born_text) if born_text else None
            if isinstance(born, str):
                fail(f"author{n}_date_of_birth", born)
                born = None
            author["date_of_birth"] = born
            category = _CATEGORIES.get(_fold(author["category"]))
            if category is None:
                fail(f"author{n}_category", "Đối tượng phải là Công nhân, Đại học hoặc Quản lý")
            author["category"] = category or AuthorCategory.WORKER
            share_text = author["share_percent"]
            if not share_text:
                fail(f"author{n}_share_percent", f"Thiếu tỷ lệ đóng góp của tác giả {n}")
            else:
                share = self._share(share_text)
                if isinstance(share, str):
                    fail(f"author{n}_share_percent", share)
                else:
                    author["share_percent"] = share
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
