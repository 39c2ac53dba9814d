"""Text rules: NFC on the way in, and a diacritic- and case-insensitive fold for search and duplicates."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def nfc(text: str) -> str:
    """Unicode NFC with control characters removed and outer whitespace stripped."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return text.strip()


def fold(text: str) -> str:
    """Lower-case, without Vietnamese diacritics (đ → d), whitespace collapsed: "Cải  Tiến" → "cai tien"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


_NOT_A_WORD = re.compile(r"[\W_]+")


def search_words(text: str) -> list[str]:
    """The folded words of a text, punctuation dropped: "Tiết kiệm điện, nước" → ["tiet", "kiem", "dien", "nuoc"]."""
    return _NOT_A_WORD.sub(" ", fold(text)).split()


def search_text(title: str, summary: str) -> str:
    """What search matches against: the folded words of title and summary, space-padded so that a whole-word
    match is ``LIKE '% word %'`` (which a trigram index serves for words of any length)."""
    return f" {' '.join(search_words(f'{title} {summary}'))} "


def _clean(value: Any) -> Any:
    return nfc(value) if isinstance(value, str) else value


Clean = BeforeValidator(_clean)
Name = Annotated[str, Clean, Field(min_length=1, max_length=200)]
Label = Annotated[str, Clean, Field(max_length=300)]
Title = Annotated[str, Clean, Field(min_length=1, max_length=300)]
Summary = Annotated[str, Clean, Field(max_length=4000)]
LongText = Annotated[str, Clean, Field(max_length=20_000)]
Reason = Annotated[str, Clean, Field(min_length=1, max_length=2000)]
