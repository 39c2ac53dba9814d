"""Pure rules: folding, shares, windows in Vietnam time, completeness, status transitions, projection."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from services.submission.domain.campaign import CAMPAIGN_FIELDS, campaign_2021
from services.submission.domain.errors import (
    AlreadySubmittedError,
    AlreadyWithdrawnError,
    DateInFutureError,
    IncompleteInitiativeError,
    NotGrassrootsUnitError,
    SharesNot100Error,
    UnknownFieldError,
    UnknownUnitError,
    WindowClosedError,
)
from services.submission.domain.initiative import Initiative, InitiativeContent, check_content, ensure_in_window
from services.submission.domain.text import fold, nfc
from services.submission.domain.visibility import (
    ConfidentialView,
    FullView,
    PublicView,
    in_scope,
    may_change,
    may_know_exists,
    project,
)
from shared.auth import Principal, Role
from shared.events import InitiativeStatus
from shared.union_tree import get_tree

from ..support import SECRET, form

NOW = datetime(2021, 3, 20, 3, 0, tzinfo=UTC)
CAMPAIGN = campaign_2021({})


def content(**overrides: object) -> InitiativeContent:
    body = form(**overrides)
    body.pop("campaign_id")
    return InitiativeContent.model_validate(body)


def initiative(**overrides: object) -> Initiative:
    c = content(**overrides)
    return Initiative(
        id=uuid.uuid4(), campaign_id="75k-2021", content=c, unit_path=get_tree().path(c.unit_id),
        status=InitiativeStatus.SUBMITTED, version=2, owner_member_id="dv-nhung", created_at=NOW, updated_at=NOW,
    )


@pytest.mark.parametrize(("text", "folded"), [
    ("Cải tiến", "cai tien"), ("ĐƯỜNG ĐIỆN", "duong dien"), ("  An   toàn  lao động ", "an toan lao dong"),
    ("Thừa Thiên Huế", "thua thien hue"),
])
def test_fold_ignores_vietnamese_diacritics_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_text_is_nfc_normalised_on_the_way_in() -> None:
    decomposed = "Cải tiến".encode().decode()  # build an NFD string explicitly
    import unicodedata

    nfd = unicodedata.normalize("NFD", decomposed)
    assert nfd != decomposed
    assert nfc(nfd) == decomposed
    assert content(title=nfd).title == decomposed


def test_valid_form_passes_every_rule() -> None:
    check_content(content(), campaign=CAMPAIGN, tree=get_tree(), today=date(2021, 3, 20))


@pytest.mark.parametrize(("overrides", "error"), [
    ({"unit_id": "P24-99-999"}, UnknownUnitError),
    ({"unit_id": "P24-03"}, NotGrassrootsUnitError),
    ({"field": "bong_da"}, UnknownFieldError),
    ({"date_first_applied": "2021-04-01"}, DateInFutureError),
])
def test_rule_violations_raise_their_own_problem(overrides: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        check_content(content(**overrides), campaign=CAMPAIGN, tree=get_tree(), today=date(2021, 3, 20))


def test_shares_must_add_up_to_exactly_100() -> None:
    authors = form()["authors"]
    authors[1]["share_percent"] = "39.99"
    with pytest.raises(SharesNot100Error) as caught:
        check_content(content(authors=authors), campaign=CAMPAIGN, tree=get_tree(), today=date(2021, 3, 20))
    assert "99.99" in caught.value.detail


@pytest.mark.parametrize("bad", [
    {"authors": []}, {"title": ""}, {"title": "x" * 301}, {"benefit_vnd": -1}, {"status": "submitted"},
    {"version": 9}, {"owner_member_id": "ke-gian"},
])
def test_form_refuses_bad_or_system_owned_fields(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        content(**bad)


def test_submission_window_error_shows_vietnam_time() -> None:
    with pytest.raises(WindowClosedError) as caught:
        ensure_in_window(CAMPAIGN.submission_window, datetime(2021, 4, 20, 17, 0, tzinfo=UTC), what="nộp")
    assert "20/04/2021 23:55" in caught.value.detail
    assert "03/02/2021 00:00" in caught.value.detail
    ensure_in_window(CAMPAIGN.submission_window, datetime(2021, 4, 20, 16, 54, tzinfo=UTC), what="nộp")


def test_record_complete_needs_every_form_field() -> None:
    assert content().record_complete
    assert not content(application_conditions="").record_complete
    assert not content(confidential=True, confidential_details="").record_complete
    authors = form()["authors"]
    authors[0]["date_of_birth"] = None
    assert not content(authors=authors).record_complete


def test_status_transitions_raise_version_and_refuse_repeats() -> None:
    draft = Initiative(**{**initiative().__dict__, "status": InitiativeStatus.DRAFT, "version": 1})
    submitted = draft.submitted(NOW)
    assert (submitted.status, submitted.version) == (InitiativeStatus.SUBMITTED, 2)
    with pytest.raises(AlreadySubmittedError):
        submitted.submitted(NOW)
    withdrawn = submitted.withdrawn("Trùng với sáng kiến năm trước", NOW)
    assert withdrawn.version == 3
    with pytest.raises(AlreadyWithdrawnError):
        withdrawn.withdrawn("lần nữa", NOW)
    with pytest.raises(AlreadyWithdrawnError):
        withdrawn.edited(draft.content, draft.unit_path, NOW)
    incomplete = Initiative(**{**draft.__dict__, "content": content(description="")})
    with pytest.raises(IncompleteInitiativeError):
        incomplete.submitted(NOW)


def test_projection_of_a_secret_keeps_only_public_fields() -> None:
    secret = initiative(**SECRET)
    public = project(secret, None)
    assert isinstance(public, ConfidentialView)
    assert set(public.model_dump()) == {
        "view", "id", "campaign_id", "status", "confidential", "title", "effectiveness_summary", "award",
    }
    grassroots_officer = Principal("cb", Role.OFFICER, secret.unit_path[-1])
    assert isinstance(project(secret, grassroots_officer), FullView)
    for unit in ("P24", secret.unit_path[2], "VGCL", "P40"):  # above grassroots, or elsewhere
        assert isinstance(project(secret, Principal("cb", Role.OFFICER, unit)), ConfidentialView), unit
        assert isinstance(project(secret, Principal("ng", Role.REVIEWER, unit)), ConfidentialView), unit
    assert isinstance(project(secret, Principal("dv-nhung", Role.MEMBER, None)), FullView)
    assert isinstance(project(initiative(), None), PublicView)


def test_a_2025_federation_acts_on_the_units_it_took_over_but_sees_no_full_record() -> None:
    secret = initiative(**SECRET)
    federation = Principal("cb", Role.REVIEWER, "P2025-24")
    assert in_scope(federation, secret.unit_path)
    assert isinstance(project(secret, federation), ConfidentialView)  # reviewers: through awards, once reached


def test_changes_belong_to_the_owner_the_grassroots_officer_and_admins() -> None:
    item = initiative()
    assert may_change(Principal("dv-nhung", Role.MEMBER, None), item)  # the owner
    assert may_change(Principal("cb", Role.OFFICER, item.unit_path[-1]), item)
    assert may_change(Principal("qt", Role.ADMIN, None), item)
    assert not may_change(Principal("cb", Role.OFFICER, item.unit_path[2]), item)
    assert not may_change(Principal("cb", Role.OFFICER, item.unit_path[1]), item)
    assert not may_change(Principal("dv-nhung", Role.REVIEWER, item.unit_path[-1]), item)
    imported = replace(item, owner_member_id="cb-huyen")  # an upper officer who imported it owns it
    assert may_change(Principal("cb-huyen", Role.OFFICER, item.unit_path[2]), imported)
    draft = replace(item, status=InitiativeStatus.DRAFT)
    assert may_know_exists(Principal("cb", Role.OFFICER, item.unit_path[-1]), draft)
    assert not may_know_exists(Principal("cb", Role.OFFICER, item.unit_path[2]), draft)
    assert not may_know_exists(None, draft)


def test_default_campaign_fields_have_vietnamese_labels_and_codes() -> None:
    assert len(CAMPAIGN_FIELDS) == 10
    assert CAMPAIGN.field_code_for("san xuat, KINH DOANH") == "san_xuat_kinh_doanh"
