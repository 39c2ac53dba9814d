"""The union tree: VGCL's four levels of trade unions, with the 2025 provincial merger kept as history.

Levels (Điều lệ Công đoàn Việt Nam): 1 VGCL; 2 provincial federations, central sectoral unions and
corporation unions; 3 upper-grassroots unions; 4 grassroots unions. The data lives in
``shared/data/units.json``, written by ``python -m shared.data.generate_units``.

Ids:
- ``VGCL`` — the root.
- ``P01`` … ``P96`` — the 63 provincial federations of 2021, ``P`` + the statistics-office code.
- ``S01`` … ``S11`` sectoral unions, ``G01`` … ``G09`` group/corporation unions (2021 onwards).
- ``P2025-xx`` — the 34 provincial federations from 2025-07-01 (Nghị quyết 202/2025/QH15), ``xx`` being
  the official 2025 province code (Quyết định 19/2025/QĐ-TTg: the code of the 2021 province that holds
  the new seat, e.g. An Giang = ``P2025-91``, Bắc Ninh = ``P2025-24``). The shape ``P25-xx`` cannot be
  used: ``P25-01`` … are the level-3 units of Phú Thọ (``P25``).
- ``<level-2 id>-nn`` level 3 and ``<level-3 id>-nnn`` level 4, e.g. ``P24-03-012``.

Kinds: ``national`` (1); ``province`` | ``sector`` | ``corporation`` (2); ``district`` |
``industrial_zone`` | ``local_sector`` | ``enterprise`` | ``agency`` (3); ``grassroots`` | ``guild`` (4).

History: each 2021 province has ``valid_until`` 2025-06-30 and a ``successor_id`` (unchanged provinces
too, so the 2025 tree has exactly 34 provinces); 2025 provinces have ``valid_from`` 2025-07-01 and
``predecessor_ids``. Levels 3 and 4 hang under their 2021 level-2 unit and stay valid in both eras.
``path`` is structural (the 2021 path); ``path_on``/``level2_on`` give the path and level-2 unit in
force on a date. A 2025 federation took over the units of the federations merged into it, so its
``subtree_ids`` and ``is_within`` include its predecessors' subtrees (``children`` stays structural).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_UNITS_FILE = Path(__file__).resolve().parent / "data" / "units.json"
ROOT_ID = "VGCL"
CAMPAIGN_2021_DAY = date(2021, 3, 10)  # first day of the "40 ngày cao điểm"; the default era
MERGER_DAY = date(2025, 7, 1)
_KIND_ORDER = {"national": 0, "province": 1, "sector": 2, "corporation": 3}


class Unit(BaseModel):
    """One trade union at one level of the tree."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=300)
    level: int = Field(ge=1, le=4)
    parent_id: str | None
    kind: str
    code: str | None = None  # statistics-office province code, level-2 provinces only
    province: str | None = None  # province name, level-2 provinces only
    valid_from: date | None = None  # None: since before any campaign
    valid_until: date | None = None  # None: still valid; inclusive
    successor_id: str | None = None
    predecessor_ids: tuple[str, ...] = ()
    weight: float = Field(0.0, ge=0.0)  # share of national volume, for the campaign simulator
    quota: int = Field(0, ge=0)  # chỉ tiêu of the 2021 campaign

    def valid_on(self, day: date) -> bool:
        """True when the unit existed on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class _UnitsFile(BaseModel):
    """The data file: metadata plus the units, one per line."""

    model_config = ConfigDict(extra="ignore")

    units: tuple[Unit, ...]


class UnknownUnitError(KeyError):
    """No unit has this id."""

    def __init__(self, unit_id: object) -> None:
        super().__init__(unit_id)
        self.unit_id = unit_id

    def __str__(self) -> str:
        return f"unknown unit {self.unit_id!r}"


class UnionTree:
    """An immutable, indexed union tree; build it with ``UnionTree.load`` or share ``get_tree()``."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units: dict[str, Unit] = {}
        for unit in units:
            if unit.id in self._units:
                raise ValueError(f"duplicate unit id {unit.id!r}")
            self._units[unit.id] = unit
        kids: dict[str, list[Unit]] = {}
        for unit in self._units.values():
            if unit.parent_id is not None:
                kids.setdefault(unit.parent_id, []).append(unit)
        self._children = {pid: tuple(sorted(group, key=lambda u: u.id)) for pid, group in kids.items()}
        self._check()
        self._grassroots = tuple(sorted(u.id for u in self._units.values() if u.level == 4))
        self._paths: dict[str, tuple[str, ...]] = {}
        self._subtrees: dict[str, frozenset[str]] = {}
        self._real_paths: set[tuple[str, ...]] = set()  # only paths found real: a flood of bad ones stays uncached

    def _check(self) -> None:
        """Refuse a tree with dangling links, wrong levels or successor cycles."""
        roots = [u.id for u in self._units.values() if u.parent_id is None]
        if roots != [ROOT_ID] or self._units[ROOT_ID].level != 1:
            raise ValueError(f"the tree needs exactly one root, {ROOT_ID!r} at level 1; found {roots}")
        for unit in self._units.values():
            if unit.parent_id is not None:
                parent = self._units.get(unit.parent_id)
                if parent is None or parent.level != unit.level - 1:
                    raise ValueError(f"unit {unit.id!r}: parent {unit.parent_id!r} missing or not one level up")
            for link in (unit.successor_id, *unit.predecessor_ids):
                if link is not None and (link not in self._units or self._units[link].level != unit.level):
                    raise ValueError(f"unit {unit.id!r}: successor/predecessor {link!r} missing or at another level")
            seen = {unit.id}
            step = unit
            while step.successor_id is not None:
                if step.successor_id in seen:
                    raise ValueError(f"successor cycle through {unit.id!r}")
                seen.add(step.successor_id)
                step = self._units[step.successor_id]

    @classmethod
    def load(cls, path: Path | None = None) -> UnionTree:
        """Read a units file (default: ``shared/data/units.json``); names are normalised to NFC."""
        text = (path or DEFAULT_UNITS_FILE).read_text(encoding="utf-8")
        return cls(_UnitsFile.model_validate_json(unicodedata.normalize("NFC", text)).units)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._units

    def __len__(self) -> int:
        return len(self._units)

    def __repr__(self) -> str:
        return f"<UnionTree {len(self)} units>"

    def get(self, unit_id: str) -> Unit:
        """The unit with this id; raises ``UnknownUnitError``."""
        try:
            return self._units[unit_id]
        except KeyError:
            raise UnknownUnitError(unit_id) from None

    def units(self) -> Iterable[Unit]:
        """Every unit, parents before children."""
        return self._units.values()

    def level(self, unit_id: str) -> int:
        """1 (VGCL) to 4 (grassroots)."""
        return self.get(unit_id).level

    def children(self, unit_id: str) -> tuple[Unit, ...]:
        """Direct children sorted by id (VGCL's include the level-2 units of both eras)."""
        self.get(unit_id)
        return self._children.get(unit_id, ())

    def path(self, unit_id: str) -> tuple[str, ...]:
        """Ids from the root down to the unit, e.g. ("VGCL", "P24", "P24-03", "P24-03-012")."""
        cached = self._paths.get(unit_id)
        if cached is not None:
            return cached
        unit = self.get(unit_id)
        result = (unit_id,) if unit.parent_id is None else (*self.path(unit.parent_id), unit_id)
        self._paths[unit_id] = result
        return result

    def path_on(self, unit_id: str, day: date) -> tuple[str, ...]:
        """``path`` with the level-2 unit replaced by the one in force on ``day`` (e.g. after the merger)."""
        path = self.path(unit_id)
        if len(path) < 2:
            return path
        return (path[0], self.level2_on(unit_id, day).id, *path[2:])

    def subtree_ids(self, unit_id: str) -> frozenset[str]:
        """The unit and everything below it; a 2025 federation includes its predecessors' subtrees."""
        cached = self._subtrees.get(unit_id)
        if cached is not None:
            return cached
        unit = self.get(unit_id)
        ids = {unit_id}
        for child in self._children.get(unit_id, ()):
            ids |= self.subtree_ids(child.id)
        for predecessor in unit.predecessor_ids:
            ids |= self.subtree_ids(predecessor)
        result = frozenset(ids)
        self._subtrees[unit_id] = result
        return result

    def is_within(self, unit_id: str, ancestor_id: str) -> bool:
        """True when ``unit_id`` is ``ancestor_id`` or lies below it (or below a unit it succeeded)."""
        ancestor = self.get(ancestor_id)
        path = self.path(unit_id)
        if ancestor_id in path:
            return True
        if not ancestor.predecessor_ids or len(path) < 2:
            return False
        # Only a successor can hold units it is not the parent of: walk the level-2 unit's successors.
        step = self._units[path[1]]
        while step.successor_id is not None:
            if step.successor_id == ancestor_id:
                return True
            step = self._units[step.successor_id]
        return False

    def successor(self, unit_id: str) -> Unit | None:
        """The unit that directly took this one over, if any."""
        successor_id = self.get(unit_id).successor_id
        return None if successor_id is None else self._units[successor_id]

    def current(self, unit_id: str) -> Unit:
        """The unit at the end of the successor chain (the unit itself when it has no successor)."""
        unit = self.get(unit_id)
        while unit.successor_id is not None:
            unit = self._units[unit.successor_id]
        return unit

    def level2_ancestor(self, unit_id: str) -> Unit:
        """The level-2 unit above (or equal to) a unit of level 2 to 4, as recorded (2021 era)."""
        path = self.path(unit_id)
        if len(path) < 2:
            raise ValueError(f"{unit_id!r} is the root and has no level-2 ancestor")
        return self._units[path[1]]

    def level2_on(self, unit_id: str, day: date) -> Unit:
        """The level-2 unit responsible for ``unit_id`` on ``day``: its ancestor or that ancestor's successor."""
        unit = self.level2_ancestor(unit_id)
        while not unit.valid_on(day) and unit.successor_id is not None:
            unit = self._units[unit.successor_id]
        return unit

    def current_level2(self, unit_id: str) -> Unit:
        """The level-2 unit responsible for ``unit_id`` today: the end of its ancestor's successor chain."""
        return self.current(self.level2_ancestor(unit_id).id)

    def level2_units(self, on: date | None = None) -> tuple[Unit, ...]:
        """Level-2 units valid on ``on`` (default 2021-03-10): provinces by code, then sectors, then corporations."""
        day = on or CAMPAIGN_2021_DAY
        found = [u for u in self._children.get(ROOT_ID, ()) if u.level == 2 and u.valid_on(day)]
        return tuple(sorted(found, key=lambda u: (_KIND_ORDER.get(u.kind, len(_KIND_ORDER)), u.id)))

    def is_path(self, path: tuple[str, ...] | list[str]) -> bool:
        """True when ``path`` is a real path of the tree, root first: each unit a child of the one before, except
        that the level-2 unit may be the structural one or any unit in its successor chain (``path_on``)."""
        key = tuple(path)
        if key in self._real_paths:
            return True
        if not key or any(not isinstance(u, str) or u not in self._units for u in key):
            return False
        structural = self.path(key[-1])
        if len(structural) != len(key) or structural[0] != key[0] or structural[2:] != key[2:]:
            return False
        if len(key) >= 2 and key[1] != structural[1]:
            step = self._units[structural[1]]
            while step.successor_id is not None and step.id != key[1]:
                step = self._units[step.successor_id]
            if step.id != key[1]:
                return False
        self._real_paths.add(key)
        return True

    def grassroots_ids(self) -> tuple[str, ...]:
        """Every level-4 id, sorted."""
        return self._grassroots


@lru_cache(maxsize=1)
def get_tree() -> UnionTree:
    """The default tree, loaded once per process."""
    return UnionTree.load()
