"""The union tree: the real level-2 units of 2021 and 2025, the merger, lookups and the generated data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from shared.union_tree import DEFAULT_UNITS_FILE, UnionTree, Unit, UnknownUnitError, get_tree

REPO_ROOT = Path(__file__).resolve().parents[2]

# DOMAIN.md: the 63 provinces of 2021 with their statistics-office codes.
PROVINCES_2021 = {
    "01": "Hà Nội", "02": "Hà Giang", "04": "Cao Bằng", "06": "Bắc Kạn", "08": "Tuyên Quang", "10": "Lào Cai",
    "11": "Điện Biên", "12": "Lai Châu", "14": "Sơn La", "15": "Yên Bái", "17": "Hòa Bình", "19": "Thái Nguyên",
    "20": "Lạng Sơn", "22": "Quảng Ninh", "24": "Bắc Giang", "25": "Phú Thọ", "26": "Vĩnh Phúc", "27": "Bắc Ninh",
    "30": "Hải Dương", "31": "Hải Phòng", "33": "Hưng Yên", "34": "Thái Bình", "35": "Hà Nam", "36": "Nam Định",
    "37": "Ninh Bình", "38": "Thanh Hóa", "40": "Nghệ An", "42": "Hà Tĩnh", "44": "Quảng Bình", "45": "Quảng Trị",
    "46": "Thừa Thiên Huế", "48": "Đà Nẵng", "49": "Quảng Nam", "51": "Quảng Ngãi", "52": "Bình Định",
    "54": "Phú Yên", "56": "Khánh Hòa", "58": "Ninh Thuận", "60": "Bình Thuận", "62": "Kon Tum", "64": "Gia Lai",
    "66": "Đắk Lắk", "67": "Đắk Nông", "68": "Lâm Đồng", "70": "Bình Phước", "72": "Tây Ninh", "74": "Bình Dương",
    "75": "Đồng Nai", "77": "Bà Rịa – Vũng Tàu", "79": "Hồ Chí Minh", "80": "Long An", "82": "Tiền Giang",
    "83": "Bến Tre", "84": "Trà Vinh", "86": "Vĩnh Long", "87": "Đồng Tháp", "89": "An Giang", "91": "Kiên Giang",
    "92": "Cần Thơ", "93": "Hậu Giang", "94": "Sóc Trăng", "95": "Bạc Liêu", "96": "Cà Mau",
}
CITIES_2021 = {"01", "31", "48", "79", "92"}

SECTORS = (
    "Công đoàn Công an nhân dân", "Công đoàn Quốc phòng", "Công đoàn Giáo dục Việt Nam", "Công đoàn Y tế Việt Nam",
    "Công đoàn Công Thương Việt Nam", "Công đoàn Giao thông vận tải Việt Nam", "Công đoàn Xây dựng Việt Nam",
    "Công đoàn Nông nghiệp và Phát triển nông thôn Việt Nam", "Công đoàn Ngân hàng Việt Nam",
    "Công đoàn Viên chức Việt Nam", "Công đoàn Thông tin và Truyền thông Việt Nam",
)
CORPORATIONS = (
    "Công đoàn Điện lực Việt Nam", "Công đoàn Dầu khí Việt Nam", "Công đoàn Than – Khoáng sản Việt Nam",
    "Công đoàn Cao su Việt Nam", "Công đoàn Dệt May Việt Nam", "Công đoàn Bưu điện Việt Nam",
    "Công đoàn Đường sắt Việt Nam", "Công đoàn Tổng Công ty Hàng không Việt Nam",
    "Công đoàn Tổng Công ty Hàng hải Việt Nam",
)

# DOMAIN.md: the 34 provinces from 1/7/2025 and the 2021 provinces merged into each.
MERGER_2025 = {
    "An Giang": ("An Giang", "Kiên Giang"),
    "Bắc Ninh": ("Bắc Ninh", "Bắc Giang"),
    "Cà Mau": ("Cà Mau", "Bạc Liêu"),
    "Đắk Lắk": ("Đắk Lắk", "Phú Yên"),
    "Đồng Nai": ("Đồng Nai", "Bình Phước"),
    "Đồng Tháp": ("Đồng Tháp", "Tiền Giang"),
    "Gia Lai": ("Gia Lai", "Bình Định"),
    "Hưng Yên": ("Hưng Yên", "Thái Bình"),
    "Khánh Hòa": ("Khánh Hòa", "Ninh Thuận"),
    "Lào Cai": ("Lào Cai", "Yên Bái"),
    "Lâm Đồng": ("Lâm Đồng", "Đắk Nông", "Bình Thuận"),
    "Ninh Bình": ("Ninh Bình", "Hà Nam", "Nam Định"),
    "Phú Thọ": ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"),
    "Quảng Ngãi": ("Quảng Ngãi", "Kon Tum"),
    "Quảng Trị": ("Quảng Trị", "Quảng Bình"),
    "Tây Ninh": ("Tây Ninh", "Long An"),
    "Thái Nguyên": ("Thái Nguyên", "Bắc Kạn"),
    "Tuyên Quang": ("Tuyên Quang", "Hà Giang"),
    "Đà Nẵng": ("Đà Nẵng", "Quảng Nam"),
    "Cần Thơ": ("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    "Hải Phòng": ("Hải Phòng", "Hải Dương"),
    "Hồ Chí Minh": ("Hồ Chí Minh", "Bà Rịa – Vũng Tàu", "Bình Dương"),
    "Vĩnh Long": ("Vĩnh Long", "Bến Tre", "Trà Vinh"),
    "Hà Nội": ("Hà Nội",),
    "Huế": ("Thừa Thiên Huế",),
    "Cao Bằng": ("Cao Bằng",),
    "Điện Biên": ("Điện Biên",),
    "Hà Tĩnh": ("Hà Tĩnh",),
    "Lai Châu": ("Lai Châu",),
    "Lạng Sơn": ("Lạng Sơn",),
    "Nghệ An": ("Nghệ An",),
    "Quảng Ninh": ("Quảng Ninh",),
    "Thanh Hóa": ("Thanh Hóa",),
    "Sơn La": ("Sơn La",),
}
CITIES_2025 = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Huế", "Cần Thơ"}
AFTER_MERGER = date(2025, 7, 1)


@pytest.fixture(scope="module")
def tree() -> UnionTree:
    return get_tree()


@pytest.fixture(scope="module")
def raw_units() -> list[dict[str, object]]:
    return json.loads(DEFAULT_UNITS_FILE.read_text(encoding="utf-8"))["units"]


def test_2021_has_83_level2_units_63_provinces_11_sectors_9_corporations(tree: UnionTree) -> None:
    units = tree.level2_units()
    assert len(units) == 83
    assert Counter(u.kind for u in units) == {"province": 63, "sector": 11, "corporation": 9}
    assert units == tree.level2_units(date(2021, 3, 10)) == tree.level2_units(date(2025, 6, 30))


def test_2021_provinces_carry_the_official_codes_and_names(tree: UnionTree) -> None:
    provinces = [u for u in tree.level2_units() if u.kind == "province"]
    assert {u.code: u.province for u in provinces} == PROVINCES_2021
    for unit in provinces:
        assert unit.id == f"P{unit.code}"
        assert unit.parent_id == "VGCL"
    assert tree.get("P01").name == "Liên đoàn Lao động thành phố Hà Nội"
    assert tree.get("P24").name == "Liên đoàn Lao động tỉnh Bắc Giang"
    assert tree.get("P46").name == "Liên đoàn Lao động tỉnh Thừa Thiên Huế"
    assert tree.get("P79").name == "Liên đoàn Lao động Thành phố Hồ Chí Minh"
    assert tree.get("P96").name == "Liên đoàn Lao động tỉnh Cà Mau"
    for code, name in PROVINCES_2021.items():
        kind = "Thành phố" if code == "79" else "thành phố" if code in CITIES_2021 else "tỉnh"
        assert tree.get(f"P{code}").name == f"Liên đoàn Lao động {kind} {name}"


def test_sector_and_corporation_unions_are_named_as_in_the_domain(tree: UnionTree) -> None:
    assert tuple(tree.get(f"S{n:02d}").name for n in range(1, 12)) == SECTORS
    assert tuple(tree.get(f"G{n:02d}").name for n in range(1, 10)) == CORPORATIONS
    for unit_id in [f"S{n:02d}" for n in range(1, 12)] + [f"G{n:02d}" for n in range(1, 10)]:
        unit = tree.get(unit_id)
        assert unit.kind == ("sector" if unit_id.startswith("S") else "corporation")
        assert unit.successor_id is None and unit.valid_until is None
        assert tree.successor(unit_id) is None
        assert tree.current(unit_id) == unit


def test_after_the_merger_there_are_34_provinces_and_the_same_20_others(tree: UnionTree) -> None:
    units = tree.level2_units(AFTER_MERGER)
    provinces = [u for u in units if u.kind == "province"]
    assert len(provinces) == 34
    assert len(units) == 54
    assert {u.province for u in provinces} == set(MERGER_2025)
    assert [u.id for u in units if u.kind != "province"] == [u.id for u in tree.level2_units() if u.kind != "province"]
    for unit in provinces:
        assert unit.valid_from == AFTER_MERGER and unit.valid_until is None
        assert unit.id == f"P2025-{unit.code}"
        assert unit.province is not None
        city = unit.province in CITIES_2025
        kind = "Thành phố" if unit.province == "Hồ Chí Minh" else "thành phố" if city else "tỉnh"
        assert unit.name == f"Liên đoàn Lao động {kind} {unit.province}"
    assert tree.level2_units(date(2030, 1, 1)) == units


def test_2025_provinces_use_the_official_2025_codes(tree: UnionTree) -> None:
    assert tree.get("P2025-91").province == "An Giang"
    assert tree.get("P2025-24").province == "Bắc Ninh"
    assert tree.get("P2025-15").province == "Lào Cai"
    assert tree.get("P2025-82").province == "Đồng Tháp"
    assert tree.get("P2025-46").name == "Liên đoàn Lao động thành phố Huế"
    assert tree.get("P2025-79").name == "Liên đoàn Lao động Thành phố Hồ Chí Minh"


def test_every_2021_province_succeeds_into_its_2025_province_as_in_the_merger_list(tree: UnionTree) -> None:
    expected = {old: new for new, olds in MERGER_2025.items() for old in olds}
    assert sorted(expected) == sorted(PROVINCES_2021.values())
    for unit in tree.level2_units():
        if unit.kind != "province":
            continue
        successor = tree.successor(unit.id)
        assert successor is not None
        assert successor.province == expected[unit.province or ""], unit.province
        assert tree.current(unit.id) == successor
        assert unit.valid_until == date(2025, 6, 30)
        assert unit.id in successor.predecessor_ids
    for unit in tree.level2_units(AFTER_MERGER):
        if unit.kind == "province":
            assert {tree.get(p).province for p in unit.predecessor_ids} == set(MERGER_2025[unit.province or ""])
            assert list(unit.predecessor_ids) == sorted(unit.predecessor_ids)
            assert tree.successor(unit.id) is None


def test_vgcl_children_include_level2_units_of_both_eras_sorted_by_id(tree: UnionTree) -> None:
    children = tree.children("VGCL")
    assert len(children) == 83 + 34
    assert [u.id for u in children] == sorted(u.id for u in children)
    assert all(u.level == 2 for u in children)
    assert tree.children("P2025-24") == ()


def test_path_runs_from_vgcl_down_through_the_id_prefixes(tree: UnionTree) -> None:
    leaf = tree.grassroots_ids()[0]
    parts = leaf.split("-")
    assert tree.path(leaf) == ("VGCL", parts[0], f"{parts[0]}-{parts[1]}", leaf)
    assert tree.path("VGCL") == ("VGCL",)
    assert tree.path("P24") == ("VGCL", "P24")
    assert tree.path("P24-03") == ("VGCL", "P24", "P24-03")
    assert tree.path("P24-03-001") == ("VGCL", "P24", "P24-03", "P24-03-001")


def test_every_grassroots_path_has_four_levels(tree: UnionTree) -> None:
    for unit_id in tree.grassroots_ids():
        path = tree.path(unit_id)
        assert len(path) == 4
        assert [tree.level(i) for i in path] == [1, 2, 3, 4]
        assert path[2].startswith(path[1] + "-") and path[3].startswith(path[2] + "-")


def test_ids_follow_the_level_scheme(tree: UnionTree) -> None:
    for unit in tree.units():
        if unit.level == 3:
            assert unit.id == f"{unit.parent_id}-{unit.id[-2:]}" and unit.id[-2:].isdigit()
        elif unit.level == 4:
            assert unit.id == f"{unit.parent_id}-{unit.id[-3:]}" and unit.id[-3:].isdigit()
        if unit.level >= 3:
            assert tree.get(unit.parent_id or "").valid_from is None, "lower units hang under 2021 units"


def test_level_counts(tree: UnionTree) -> None:
    counts = Counter(u.level for u in tree.units())
    assert counts[1] == 1
    assert counts[2] == 83 + 34
    assert 600 <= counts[3] <= 900
    assert 4000 <= counts[4] <= 6000
    assert len(tree) == sum(counts.values())
    assert len(tree.grassroots_ids()) == counts[4]
    assert list(tree.grassroots_ids()) == sorted(tree.grassroots_ids())
    assert all(tree.level(i) == 4 for i in tree.grassroots_ids())


def test_every_2021_level2_unit_has_units_below_it(tree: UnionTree) -> None:
    for unit in tree.level2_units():
        assert tree.children(unit.id), unit.id
        assert any(len(tree.children(child.id)) > 0 for child in tree.children(unit.id))


def test_big_provinces_have_more_grassroots_units_than_small_ones(tree: UnionTree) -> None:
    sizes = {u.id: len(tree.subtree_ids(u.id)) for u in tree.level2_units() if u.kind == "province"}
    median = sorted(sizes.values())[len(sizes) // 2]
    for unit_id in ("P01", "P79", "P24", "P40", "P38", "P75", "P74", "P31"):
        assert sizes[unit_id] > median, unit_id


def test_subtree_contains_the_unit_and_everything_below(tree: UnionTree) -> None:
    assert tree.subtree_ids("VGCL") == frozenset(u.id for u in tree.units())
    leaf = tree.grassroots_ids()[-1]
    assert tree.subtree_ids(leaf) == frozenset({leaf})
    p24 = tree.subtree_ids("P24")
    assert "P24" in p24
    assert p24 == {"P24"} | {i for c in tree.children("P24") for i in tree.subtree_ids(c.id)}
    assert all(i == "P24" or i.startswith("P24-") for i in p24)
    assert tree.subtree_ids("P24") is tree.subtree_ids("P24")  # cached


def test_2021_level2_subtrees_partition_the_lower_levels(tree: UnionTree) -> None:
    seen: set[str] = set()
    for unit in tree.level2_units():
        subtree = tree.subtree_ids(unit.id)
        assert not seen & subtree
        seen |= subtree
    assert seen | {"VGCL"} | {u.id for u in tree.level2_units(AFTER_MERGER)} == tree.subtree_ids("VGCL")


def test_a_merged_federation_holds_its_predecessors_units(tree: UnionTree) -> None:
    merged = tree.subtree_ids("P2025-24")
    assert merged == {"P2025-24"} | tree.subtree_ids("P24") | tree.subtree_ids("P27")
    grassroots = next(i for i in tree.grassroots_ids() if i.startswith("P24-"))
    assert tree.is_within(grassroots, "P2025-24")
    assert tree.is_within("P24", "P2025-24")
    assert not tree.is_within("P2025-24", "P24")
    assert not tree.is_within(grassroots, "P2025-91")


def test_is_within_agrees_with_subtree_membership(tree: UnionTree) -> None:
    ancestors = ["VGCL", "P24", "P2025-24", "P2025-79", "S01", "G03", "P24-03", "P79-01", tree.grassroots_ids()[7]]
    for ancestor in ancestors:
        subtree = tree.subtree_ids(ancestor)
        for unit in tree.units():
            assert tree.is_within(unit.id, ancestor) == (unit.id in subtree), (unit.id, ancestor)
    assert tree.is_within("P24-03", "P24-03")
    assert not tree.is_within("P24", "P24-03")
    assert not tree.is_within("P24-03-001", "P27")


def test_level2_on_and_path_on_map_to_the_unit_in_force(tree: UnionTree) -> None:
    leaf = next(i for i in tree.grassroots_ids() if i.startswith("P24-"))
    assert tree.level2_ancestor(leaf).id == "P24"
    assert tree.level2_on(leaf, date(2021, 4, 1)).id == "P24"
    assert tree.level2_on(leaf, date(2025, 6, 30)).id == "P24"
    assert tree.level2_on(leaf, AFTER_MERGER).id == "P2025-24"
    assert tree.current_level2(leaf).id == "P2025-24"
    assert tree.path_on(leaf, AFTER_MERGER) == ("VGCL", "P2025-24", *tree.path(leaf)[2:])
    assert tree.path_on(leaf, date(2021, 4, 1)) == tree.path(leaf)
    sector_leaf = next(i for i in tree.grassroots_ids() if i.startswith("S09-"))
    assert tree.level2_on(sector_leaf, AFTER_MERGER).id == "S09"
    assert tree.path_on("VGCL", AFTER_MERGER) == ("VGCL",)
    with pytest.raises(ValueError, match="root"):
        tree.level2_ancestor("VGCL")


def test_unknown_ids_raise_unknown_unit_error(tree: UnionTree) -> None:
    assert "P99" not in tree
    assert 24 not in tree
    assert "P24" in tree
    for call in (tree.get, tree.path, tree.children, tree.subtree_ids, tree.level, tree.successor, tree.current):
        with pytest.raises(UnknownUnitError):
            call("P99")
    with pytest.raises(KeyError, match="P99"):
        tree.is_within("P24", "P99")
    with pytest.raises(UnknownUnitError):
        tree.is_within("P99-01", "VGCL")
    assert str(UnknownUnitError("P99")) == "unknown unit 'P99'"


def test_names_are_nfc_and_ids_unique(raw_units: list[dict[str, object]], tree: UnionTree) -> None:
    ids = [str(u["id"]) for u in raw_units]
    assert len(ids) == len(set(ids)) == len(tree)
    for record in raw_units:
        name = str(record["name"])
        assert unicodedata.is_normalized("NFC", name), name
        assert name == name.strip() and "  " not in name
    for unit in tree.units():
        if unit.level == 4:
            assert unit.name.startswith(("Công đoàn cơ sở ", "Nghiệp đoàn ")), unit.name
            assert unit.kind == ("guild" if unit.name.startswith("Nghiệp đoàn") else "grassroots")
        if unit.kind == "district":
            assert unit.name.startswith("Liên đoàn Lao động "), unit.name


def test_names_are_unique_among_siblings_of_one_era(tree: UnionTree) -> None:
    for day in (date(2021, 3, 10), AFTER_MERGER):
        names = [u.name for u in tree.level2_units(day)]
        assert len(names) == len(set(names)), day
    for unit in tree.units():
        if unit.level >= 2:
            names = [child.name for child in tree.children(unit.id)]
            assert len(names) == len(set(names)), unit.id


def test_quotas_and_weights_of_the_2021_units(tree: UnionTree) -> None:
    units = tree.level2_units()
    assert abs(sum(u.quota for u in units) - 75_000) <= 500
    assert all(u.quota > 0 for u in units)
    assert abs(sum(u.weight for u in units) - 1.0) < 1e-3
    by_weight = sorted(units, key=lambda u: u.weight, reverse=True)
    assert [u.id for u in by_weight[:4]] == ["P24", "P40", "P38", "P75"]
    assert all(u.weight > 0 for u in units)
    for unit in tree.level2_units(AFTER_MERGER):
        if unit.kind == "province":
            expected = sum(tree.get(p).weight for p in unit.predecessor_ids)
            assert unit.weight == pytest.approx(expected, abs=1e-5)


def test_the_tree_refuses_inconsistent_data() -> None:
    root = Unit(id="VGCL", name="Tổng Liên đoàn Lao động Việt Nam", level=1, parent_id=None, kind="national")
    p = Unit(id="P01", name="Liên đoàn Lao động thành phố Hà Nội", level=2, parent_id="VGCL", kind="province")
    assert len(UnionTree([root, p])) == 2
    with pytest.raises(ValueError, match="duplicate"):
        UnionTree([root, p, p])
    with pytest.raises(ValueError, match="parent"):
        UnionTree([root, p.model_copy(update={"parent_id": "P02"})])
    with pytest.raises(ValueError, match="parent"):
        UnionTree([root, p.model_copy(update={"level": 3})])
    with pytest.raises(ValueError, match="successor"):
        UnionTree([root, p.model_copy(update={"successor_id": "P2025-01"})])
    with pytest.raises(ValueError, match="root"):
        UnionTree([p])


def test_load_reads_a_given_file_and_get_tree_is_cached(tmp_path: Path) -> None:
    path = tmp_path / "units.json"
    path.write_text(
        '{"schema":1,"units":[\n'
        '{"id":"VGCL","name":"Tổng Liên đoàn Lao động Việt Nam","level":1,"parent_id":null,"kind":"national"}\n]}',
        encoding="utf-8",
    )
    assert len(UnionTree.load(path)) == 1
    assert get_tree() is get_tree()


def test_data_file_is_compact(raw_units: list[dict[str, object]]) -> None:
    assert DEFAULT_UNITS_FILE.stat().st_size < 1_500_000
    assert len(DEFAULT_UNITS_FILE.read_text(encoding="utf-8").splitlines()) == len(raw_units) + 2


def test_generator_reproduces_the_committed_file_byte_for_byte(tmp_path: Path) -> None:
    output = tmp_path / "units.json"
    subprocess.run(
        [sys.executable, "-m", "shared.data.generate_units", str(output)],
        cwd=REPO_ROOT, check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "random"},
    )
    assert output.read_bytes() == DEFAULT_UNITS_FILE.read_bytes()
