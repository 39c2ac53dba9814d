"""Validation errors in Vietnamese: pydantic-core error types translated, fields named by each service's labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FieldLabels = Mapping[str, str]
"""A service's Vietnamese field names: ``code → label``; ``"code[]" → "… {n}"`` names the n-th item of a list;
``"query.code"`` (or ``path.``, ``header.``) names a parameter whose meaning differs from the body field's;
``"list[].code"`` names a field of a list's items that other models use differently."""

# FastAPI prefixes each error's location with where the value came from; users name the field, not the part.
REQUEST_PARTS = frozenset({"body", "query", "path", "header", "cookie"})
WHOLE_BODY_VI = "Dữ liệu gửi lên"
WHOLE_BODY_EN = "request"
MAX_ERRORS_IN_DETAIL = 5
GENERIC_VI = "giá trị không hợp lệ"

# Vietnamese for each pydantic-core error type met in our APIs; ``{name}`` are the error's context values.
MESSAGES_VI: dict[str, str] = {
    "missing": "không được để trống",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "phải có ít nhất {min_length} ký tự",
    "string_too_long": "không được dài quá {max_length} ký tự",
    "string_pattern_mismatch": "không đúng định dạng (mẫu {pattern})",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "multiple_of": "phải là bội số của {multiple_of}",
    "finite_number": "phải là một số hữu hạn",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên, không có phần thập phân",
    "int_parsing_size": "là số quá lớn",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "decimal_parsing": "phải là số thập phân",
    "decimal_type": "phải là số thập phân",
    "decimal_max_digits": "có tối đa {max_digits} chữ số",
    "decimal_max_places": "có tối đa {decimal_places} chữ số sau dấu thập phân",
    "decimal_whole_digits": "có tối đa {whole_digits} chữ số trước dấu thập phân",
    "bool_parsing": "phải là đúng hoặc sai (true/false)",
    "bool_type": "phải là đúng hoặc sai (true/false)",
    "date_parsing": "phải là ngày theo dạng NNNN-TT-NN (ví dụ 2021-04-20)",
    "date_from_datetime_parsing": "phải là ngày theo dạng NNNN-TT-NN (ví dụ 2021-04-20)",
    "date_from_datetime_inexact": "phải là một ngày, không kèm giờ",
    "date_type": "phải là ngày theo dạng NNNN-TT-NN (ví dụ 2021-04-20)",
    "datetime_parsing": "phải là thời điểm theo dạng ISO 8601 (ví dụ 2021-04-20T17:00:00+07:00)",
    "datetime_from_date_parsing": "phải là thời điểm theo dạng ISO 8601 (ví dụ 2021-04-20T17:00:00+07:00)",
    "datetime_type": "phải là thời điểm theo dạng ISO 8601 (ví dụ 2021-04-20T17:00:00+07:00)",
    "timezone_aware": "phải ghi rõ múi giờ (ví dụ +07:00)",
    "timezone_naive": "không được ghi múi giờ",
    "uuid_parsing": "phải là mã UUID hợp lệ",
    "uuid_type": "phải là mã UUID hợp lệ",
    "uuid_version": "phải là mã UUID phiên bản {expected_version}",
    "literal_error": "phải là một trong các giá trị: {expected}",
    "enum": "phải là một trong các giá trị: {expected}",
    "too_short": "phải có ít nhất {min_length} mục",
    "too_long": "có tối đa {max_length} mục",
    "list_type": "phải là một danh sách",
    "tuple_type": "phải là một danh sách",
    "set_type": "phải là một danh sách",
    "extra_forbidden": "không phải trường được phép gửi",
    "json_invalid": "không phải JSON hợp lệ",
    "json_type": "phải là JSON",
    "model_type": "phải là một đối tượng JSON ({{…}})",
    "model_attributes_type": "phải là một đối tượng JSON ({{…}})",
    "dict_type": "phải là một đối tượng JSON ({{…}})",
    "none_required": "phải để trống (null)",
    "value_error": "không hợp lệ",
    "assertion_error": "không hợp lệ",
}
# A validator's own message is carried when it is written as ours are, "Vietnamese — English"; an English-only one
# stays in the English half, so nothing English comes before the " — ".
CARRIES_VALIDATOR_MESSAGE = frozenset({"value_error", "assertion_error"})
BILINGUAL_SEPARATOR = " — "


def _context_value(value: Any) -> str:
    """A context value as users read it: ``'a', 'b' or 'c'`` becomes ``'a', 'b' hoặc 'c'``."""
    return str(value).replace(" or ", " hoặc ")


def message_vi(error: Mapping[str, Any]) -> str:
    """What is wrong, in Vietnamese; an unknown type or a template missing a context value reads generically."""
    kind = str(error.get("type", ""))
    template = MESSAGES_VI.get(kind)
    if template is None:
        return GENERIC_VI
    context = {k: _context_value(v) for k, v in (error.get("ctx") or {}).items()}
    if kind in CARRIES_VALIDATOR_MESSAGE:
        own = context.get("error", "")
        return f"{template}: {own.split(BILINGUAL_SEPARATOR)[0]}" if BILINGUAL_SEPARATOR in own else template
    if kind in ("string_too_short", "too_short") and context.get("min_length") == "1":
        return "không được để trống"
    if kind in ("too_short", "too_long") and isinstance(error.get("input"), str):
        # A length checked after a cleaning validator is reported as a collection's; the user typed characters.
        template = MESSAGES_VI[f"string_{kind}"]
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return GENERIC_VI


def _field_parts(loc: Sequence[Any]) -> list[Any]:
    parts = list(loc)
    if parts and parts[0] in REQUEST_PARTS:
        parts = parts[1:]
    return parts


def field_label(loc: Sequence[Any], labels: FieldLabels) -> str:
    """The field's Vietnamese name: ``('body', 'authors', 1, 'share_percent')`` → "Tác giả 2 – Tỷ lệ đóng góp".

    A field inside a list item is looked up as ``"authors[].name"`` before ``"name"`` (an author's name is not a
    campaign's); a name without a label stays its code; an index without a ``code[]`` label reads "mục n".
    """
    parts = _field_parts(loc)
    names: list[str] = []
    i = 0
    where = str(loc[0]) if loc and loc[0] in REQUEST_PARTS else "body"
    parent = ""
    if parts and isinstance(parts[0], str) and f"{where}.{parts[0]}" in labels:
        names.append(labels[f"{where}.{parts[0]}"])
        parent = parts[0]
        i = 1
    while i < len(parts):
        part = parts[i]
        following = parts[i + 1] if i + 1 < len(parts) else None
        if isinstance(part, str) and isinstance(following, int) and f"{part}[]" in labels:
            names.append(labels[f"{part}[]"].format(n=following + 1))
            parent = f"{part}[]"
            i += 2
            continue
        if isinstance(part, int):
            names.append(f"mục {part + 1}")
        elif part == "[key]":
            names.append("khóa")
        else:
            names.append(labels.get(f"{parent}.{part}", labels.get(str(part), str(part))))
            parent = str(part)
        i += 1
    return " – ".join(names) or WHOLE_BODY_VI


def field_code(loc: Sequence[Any]) -> str:
    """The field's code as the API spells it: ``authors.1.share_percent``."""
    return ".".join(str(p) for p in _field_parts(loc)) or WHOLE_BODY_EN


def _english(msg: str) -> str:
    return msg[:1].lower() + msg[1:] if msg[:2] != msg[:2].upper() else msg


def translated_errors(errors: Iterable[Mapping[str, Any]], labels: FieldLabels) -> list[dict[str, Any]]:
    """Pydantic's errors as JSON: ``loc``, ``msg`` and ``type`` as pydantic gives them, plus ``label`` and
    ``message_vi``; the raw context (which may hold exceptions) stays out."""
    return [
        {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
            # A malformed JSON body is located at a character offset, which names no field.
            "label": WHOLE_BODY_VI if err.get("type") == "json_invalid" else field_label(err.get("loc", ()), labels),
            "message_vi": message_vi(err),
        }
        for err in errors
    ]


def validation_detail(errors: Sequence[Mapping[str, Any]]) -> str:
    """The problem's ``detail`` from translated errors: Vietnamese first, then " — " and pydantic's English."""
    if not errors:
        return f"{WHOLE_BODY_VI}: {GENERIC_VI} — invalid request"
    shown = errors[:MAX_ERRORS_IN_DETAIL]
    vietnamese = "; ".join(f"{e['label']}: {e['message_vi']}" for e in shown)
    english = "; ".join(
        f"{WHOLE_BODY_EN if e['type'] == 'json_invalid' else field_code(e['loc'])}: {_english(e['msg'])}" for e in shown
    )
    rest = len(errors) - len(shown)
    if rest:
        vietnamese += f" (và {rest} lỗi khác)"
        english += f" (and {rest} more)"
    return f"{vietnamese}{BILINGUAL_SEPARATOR}{english}"
