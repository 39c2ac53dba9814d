"""A unit's letterhead from the union tree: superior and issuing union, document symbol, place name."""

from __future__ import annotations

from datetime import datetime

from services.awards.adapters.union_document import Letterhead
from shared.union_tree import UnionTree, Unit

# The common abbreviations the format rules allow in the superior union's name and in document symbols.
_ABBREVIATIONS = (("Liên đoàn Lao động", "LĐLĐ"), ("Công đoàn cơ sở", "CĐCS"), ("Công đoàn", "CĐ"))
_SYMBOLS = (("Tổng Liên đoàn", "TLĐ"), ("Liên đoàn Lao động", "LĐLĐ"), ("Công đoàn cơ sở", "CĐCS"),
            ("Công đoàn ngành", "CĐN"), ("Công đoàn các Khu công nghiệp", "CĐKCN"), ("Công đoàn", "CĐ"))
HEADQUARTERS = "Hà Nội"  # where the VGCL and the national sectoral and corporate unions sit


def _abbreviated(name: str) -> str:
    if name.startswith("Tổng Liên đoàn"):
        return name.upper()
    for long, short in _ABBREVIATIONS:
        if name.startswith(long):
            return f"{short}{name[len(long):]}".upper()
    return name.upper()


def document_symbol(unit: Unit) -> str:
    """The issuing union's part of a document's symbol: 'CĐCS' in 'Số: …/TTr-CĐCS'."""
    return next((short for long, short in _SYMBOLS if unit.name.startswith(long)), "CĐ")


def place_of(tree: UnionTree, unit: Unit) -> str:
    """The province the unit sits in (its level-2 ancestor's), else the capital for national unions."""
    path = tree.path(unit.id)
    province = tree.get(path[1]).province if len(path) > 1 else None
    return province or HEADQUARTERS


def letterhead_for(tree: UnionTree, unit_id: str, *, kind: str, made_at: datetime) -> Letterhead:
    """The letterhead of a document of ``kind`` ('TTr' tờ trình, 'BB' biên bản; '' for a form such as a score
    sheet, which carries no number) issued by ``unit_id``."""
    unit = tree.get(unit_id)
    superior = _abbreviated(tree.get(unit.parent_id).name) if unit.parent_id else ""
    return Letterhead(
        superior=superior, issuer=unit.name.upper(),
        number_line=f"Số: …/{kind}-{document_symbol(unit)}" if kind else "", place=place_of(tree, unit),
        made_at=made_at,
    )
