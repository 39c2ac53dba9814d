"""Who may see what: the reviewing chain sees a case once it reached its level; audits are read from above."""

from __future__ import annotations

from dataclasses import dataclass

from services.awards.domain.case import ReviewCase


@dataclass(frozen=True)
class Viewer:
    role: str  # "reviewer", "admin", "service", ...
    unit_id: str | None = None
    unit_level: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def reviewer_level_in_chain(viewer: Viewer, case: ReviewCase) -> int | None:
    """The level at which the viewer's unit sits on the case's path, if it does."""
    if viewer.role != "reviewer" or viewer.unit_id is None or viewer.unit_level is None:
        return None
    level = viewer.unit_level
    if 1 <= level <= len(case.unit_path) and case.unit_at(level) == viewer.unit_id:
        return level
    return None


def can_view_case(viewer: Viewer, case: ReviewCase) -> bool:
    """Admins see every case; a reviewer of the chain sees it once it reached (was nominated to) their level."""
    if viewer.is_admin:
        return True
    level = reviewer_level_in_chain(viewer, case)
    return level is not None and case.current_level <= level


def can_act_on_case(role: str, unit_id: str | None, unit_level: int | None, case: ReviewCase) -> bool:
    """Actions reach only cases the caller can see; any other case answers as if it did not exist."""
    return can_view_case(Viewer(role=role, unit_id=unit_id, unit_level=unit_level), case)


def is_strictly_above(ancestor_path_of_unit: tuple[str, ...], viewer: Viewer) -> bool:
    """True when the viewer's unit is an ancestor (not the unit itself) on the given unit's root-first path."""
    return viewer.unit_id is not None and viewer.unit_id in ancestor_path_of_unit[:-1]


def can_read_audit(viewer: Viewer, unit_path: tuple[str, ...]) -> bool:
    """The audit of a unit's actions is read by admins and by reviewers of units above it."""
    return viewer.is_admin or (viewer.role == "reviewer" and is_strictly_above(unit_path, viewer))


def can_export_dossier(viewer: Viewer, unit_path: tuple[str, ...]) -> bool:
    """A unit's nomination dossier goes to its own reviewers and the reviewers above it (the chain), and admins."""
    return viewer.is_admin or (viewer.role == "reviewer" and viewer.unit_id in unit_path)
