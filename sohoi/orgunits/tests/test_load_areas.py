"""Loading the administrative areas: both schemes, the old → new links, reloads and hamlets.

One test loads the whole package (a few seconds); the others feed the loader small
hand-written sources to show how a later package version is applied.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from sohoi.core.models import AuditEvent
from sohoi.orgunits import area_loader
from sohoi.orgunits.area_loader import AreaData, AreaRecord, SuccessionRecord, load_areas
from sohoi.orgunits.models import Area, AreaSuccession
from sohoi.orgunits.services import hamlet_create

OLD, NEW = "pre2025", "2025"


def assert_tree_is_sound(*, subtrees: list[Area] | None = None) -> None:
    """treebeard's own check, plus the parent column agreeing with the path.

    ``find_problems`` costs two queries a node (about 40 s for the whole country), so the full
    load checks a few provinces with it and every node with the in-memory walk below.
    """
    for parent in subtrees or [None]:
        assert Area.objects.find_problems(parent=parent) == ([], [], [], [], [])
    rows = list(Area.objects.values_list("id", "path", "depth", "numchild", "parent_id"))
    path_of = {pk: path for pk, path, *_ in rows}
    pk_of_path = {path: pk for pk, path, *_ in rows}
    children = Counter(path[:-4] for _, path, *_ in rows)
    for pk, path, depth, numchild, parent_id in rows:
        assert len(path) == 4 * depth and set(path) <= set(Area.alphabet), path
        assert parent_id == pk_of_path.get(path[:-4]) and (parent_id is None) == (depth == 1), path
        assert numchild == children[path], path
        assert path_of[pk] == path


def area(scheme: str, code: str) -> Area:
    return Area.objects.select_related("parent").get(scheme=scheme, code=code)


def test_full_load_builds_both_schemes_links_them_and_a_reload_changes_nothing(db):
    assert Area.objects.count() == 0

    counts = load_areas()

    assert counts["pre2025"]["created"] == Area.objects.filter(scheme=OLD).count() > 10_000
    assert counts["2025"]["created"] == 34 + 3321
    assert counts["successions"]["created"] == AreaSuccession.objects.count() > 10_000
    levels = Counter(Area.objects.values_list("scheme", "level"))
    assert levels[(OLD, "province")] == 63 and 600 < levels[(OLD, "district")] < 800
    assert levels[(NEW, "province")] == 34 and levels[(NEW, "commune")] == 3321
    assert (NEW, "district") not in levels
    # Official codes, zero-padded by level; names NFC with their type.
    widths = {"province": 2, "district": 3, "commune": 5}
    for _scheme, level, code, name in Area.objects.values_list("scheme", "level", "code", "name"):
        assert len(code) == widths[level] and code.isdigit()
        assert name == unicodedata.normalize("NFC", name)
    assert set(Area.objects.filter(scheme=NEW, level="commune").values_list("division_type", flat=True)) == {
        "xã", "phường", "đặc khu",
    }  # fmt: skip

    bac_giang = area(OLD, "24")
    assert (bac_giang.name, bac_giang.division_type) == ("Tỉnh Bắc Giang", "tỉnh")
    assert bac_giang.level == "province"
    assert bac_giang.parent is None and bac_giang.depth == 1
    assert (bac_giang.valid_from, bac_giang.valid_to) == (None, date(2025, 6, 30))
    lang_giang = bac_giang.children.get(name="Huyện Lạng Giang")
    assert (lang_giang.level, lang_giang.division_type, len(lang_giang.code)) == ("district", "huyện", 3)

    chanh_lo = area(OLD, "21031")
    assert (chanh_lo.name, chanh_lo.division_type) == ("Phường Chánh Lộ", "phường")
    assert chanh_lo.parent.parent.code == "51" and chanh_lo.path.startswith(area(OLD, "51").path)
    successor = chanh_lo.successions.get()
    assert successor.new_area.scheme == NEW and successor.new_area.division_type == "phường"
    assert successor.new_area.parent.code == "51" and successor.is_partial is False
    assert successor.new_area.valid_from == date(2025, 7, 1) and successor.new_area.valid_to is None

    new_bac_ninh = bac_giang.successions.get().new_area
    assert (new_bac_ninh.scheme, new_bac_ninh.code, new_bac_ninh.level) == (NEW, "24", "province")
    assert new_bac_ninh.name.endswith("Bắc Ninh")
    assert set(new_bac_ninh.predecessions.values_list("old_area__name", flat=True)) == {
        "Tỉnh Bắc Giang", "Tỉnh Bắc Ninh",
    }  # fmt: skip
    # A commune split between several new ones is a partial succession on every side.
    split = (
        AreaSuccession.objects.values("old_area").annotate(n=Count("id")).filter(n__gt=1).values("old_area")
    )
    assert split.exists()
    assert not AreaSuccession.objects.filter(old_area__in=split, is_partial=False).exists()

    assert_tree_is_sound(subtrees=[bac_giang, new_bac_ninh])
    hamlet = hamlet_create(commune=chanh_lo, name="Tổ dân phố 1", division_type="tổ dân phố", actor=None)
    before = dict(Area.objects.values_list("id", "path"))
    links_before = AreaSuccession.objects.count()
    audits_before = AuditEvent.unscoped.filter(action="area.loaded").count()

    out = StringIO()
    call_command("load_areas", stdout=out)

    assert out.getvalue().strip() == (
        "Địa bàn trước 1/7/2025: thêm 0, cập nhật 0; từ 1/7/2025: thêm 0, cập nhật 0; "
        "liên kết cũ–mới: thêm 0, cập nhật 0."
    )
    assert dict(Area.objects.values_list("id", "path")) == before
    assert AreaSuccession.objects.count() == links_before
    assert AuditEvent.unscoped.filter(action="area.loaded").count() == audits_before == 1
    hamlet.refresh_from_db()
    assert (hamlet.name, hamlet.parent_id, hamlet.level) == ("Tổ dân phố 1", chanh_lo.pk, "hamlet")
    assert area(OLD, "21031").numchild == 1
    assert_tree_is_sound(subtrees=[area(OLD, "51")])


# --- small sources: how a later package version is applied ------------------------------------


def version_1() -> list[AreaRecord]:
    return [
        AreaRecord(OLD, "province", "01", "Tỉnh Một", "tỉnh"),
        AreaRecord(OLD, "district", "001", "Huyện Một", "huyện", "01"),
        AreaRecord(OLD, "district", "002", "Huyện Hai", "huyện", "01"),
        AreaRecord(OLD, "commune", "00001", "Xã Một", "xã", "001"),
        AreaRecord(OLD, "commune", "00002", "Xã Hai", "xã", "001"),
        AreaRecord(NEW, "province", "01", "Tỉnh Một", "tỉnh"),
        AreaRecord(NEW, "commune", "00001", "Xã Mới", "xã", "01"),
    ]


LINKS = [SuccessionRecord("00001", "00001", False), SuccessionRecord("00002", "00001", True)]


def replace(records: list[AreaRecord], code: str, scheme: str = OLD, **changes: str) -> list[AreaRecord]:
    return [
        AreaRecord(**{**r.__dict__, **changes}) if (r.scheme, r.code) == (scheme, code) else r
        for r in records
    ]


def test_a_small_source_builds_the_tree_in_code_order_with_nfc_names(db):
    decomposed = unicodedata.normalize("NFD", "Xã Mới")
    records = replace(version_1(), "00001", scheme=NEW, name=decomposed)
    assert Area.objects.count() == 0

    counts = load_areas(AreaData(records, LINKS))

    assert counts["pre2025"] == {"created": 5, "updated": 0, "moved": 0}
    assert counts["2025"] == {"created": 2, "updated": 0, "moved": 0}
    assert counts["successions"] == {"created": 2, "updated": 0, "skipped": 0}
    assert list(Area.objects.filter(depth=1).values_list("scheme", "path")) == [(OLD, "0001"), (NEW, "0002")]
    assert area(OLD, "00002").path == "000100010002" and area(OLD, "002").path == "00010002"
    assert area(NEW, "00001").name == "Xã Mới" == unicodedata.normalize("NFC", decomposed)
    assert area(OLD, "001").numchild == 2 and area(OLD, "002").numchild == 0
    assert area(OLD, "00002").successions.get().is_partial is True
    assert_tree_is_sound()


def test_a_later_version_appends_new_areas_after_the_existing_children(db):
    load_areas(AreaData(version_1(), LINKS))
    hamlet = hamlet_create(commune=area(OLD, "00002"), name="Thôn Đông", division_type="thôn", actor=None)
    before = dict(Area.objects.values_list("code", "path"))
    version_2 = [
        *version_1(),
        AreaRecord(OLD, "commune", "00003", "Xã Ba", "xã", "001"),
        AreaRecord(NEW, "province", "02", "Tỉnh Hai", "tỉnh"),
        AreaRecord(NEW, "commune", "00009", "Phường Chín", "phường", "02"),
    ]

    counts = load_areas(AreaData(version_2, [*LINKS, SuccessionRecord("00003", "00009", False)]))

    assert counts["pre2025"]["created"] == 1 and counts["2025"]["created"] == 2
    assert counts["successions"] == {"created": 1, "updated": 0, "skipped": 0}
    assert {code: path for code, path in Area.objects.values_list("code", "path") if code in before} == before
    assert area(OLD, "00003").path == area(OLD, "001").path + "0003"
    assert area(NEW, "02").path == "0003" and area(NEW, "00009").path == "00030001"
    assert area(OLD, "001").numchild == 3
    hamlet.refresh_from_db()
    assert hamlet.parent_id == area(OLD, "00002").pk and hamlet.path.startswith(area(OLD, "00002").path)
    assert_tree_is_sound()


def test_a_renamed_area_keeps_its_row_and_path(db):
    load_areas(AreaData(version_1(), LINKS))
    commune = area(OLD, "00002")
    assert (commune.name, commune.division_type) == ("Xã Hai", "xã")

    counts = load_areas(
        AreaData(replace(version_1(), "00002", name="Phường Hai", division_type="phường"), LINKS)
    )

    assert counts["pre2025"] == {"created": 0, "updated": 1, "moved": 0}
    renamed = area(OLD, "00002")
    assert (renamed.pk, renamed.path, renamed.numchild) == (commune.pk, commune.path, commune.numchild)
    assert (renamed.name, renamed.division_type) == ("Phường Hai", "phường")
    assert_tree_is_sound()


def test_a_commune_listed_under_another_parent_moves_with_its_hamlets(db):
    load_areas(AreaData(version_1(), LINKS))
    hamlet = hamlet_create(commune=area(OLD, "00001"), name="Thôn Tây", division_type="thôn", actor=None)
    assert hamlet.path.startswith(area(OLD, "001").path)

    counts = load_areas(AreaData(replace(version_1(), "00001", parent_code="002"), LINKS))

    assert counts["pre2025"] == {"created": 0, "updated": 0, "moved": 1}
    moved, district = area(OLD, "00001"), area(OLD, "002")
    assert moved.parent_id == district.pk and moved.path.startswith(district.path)
    hamlet.refresh_from_db()
    assert hamlet.parent_id == moved.pk and hamlet.path.startswith(moved.path)
    assert (area(OLD, "001").numchild, district.numchild) == (1, 1)
    assert_tree_is_sound()


def test_succession_flags_are_updated_and_unknown_codes_skipped(db):
    load_areas(AreaData(version_1(), LINKS))
    assert area(OLD, "00001").successions.get().is_partial is False

    counts = load_areas(
        AreaData(
            version_1(), [SuccessionRecord("00001", "00001", True), SuccessionRecord("09999", "00001", False)]
        )
    )

    assert counts["successions"] == {"created": 0, "updated": 1, "skipped": 1}
    assert area(OLD, "00001").successions.get().is_partial is True
    assert AreaSuccession.objects.count() == 2


@pytest.mark.parametrize(
    "records",
    [
        [*version_1(), AreaRecord(OLD, "commune", "00001", "Xã Trùng", "xã", "002")],
        [*version_1(), AreaRecord(OLD, "commune", "00007", "Xã Mồ Côi", "xã", "999")],
        [*version_1(), AreaRecord(OLD, "commune", "00008", "", "xã", "001")],
        [*version_1(), AreaRecord(OLD, "commune", "00008", "X" * 121, "xã", "001")],
        [*version_1(), AreaRecord(OLD, "village", "00008", "Thôn", "thôn", "001")],
    ],
    ids=["duplicate code", "unknown parent", "empty name", "name too long", "unknown level"],
)
def test_a_malformed_source_is_refused_and_nothing_is_written(db, records):
    assert Area.objects.count() == 0

    with pytest.raises(ValueError):
        load_areas(AreaData(records, LINKS))

    assert Area.objects.count() == 0 and AreaSuccession.objects.count() == 0


def test_the_command_prints_one_vietnamese_line_or_nothing_when_quiet(db, monkeypatch):
    monkeypatch.setattr(area_loader, "package_data", lambda: AreaData(version_1(), LINKS))
    out = StringIO()

    call_command("load_areas", stdout=out)

    assert out.getvalue() == (
        "Địa bàn trước 1/7/2025: thêm 5, cập nhật 0; từ 1/7/2025: thêm 2, cập nhật 0; "
        "liên kết cũ–mới: thêm 2, cập nhật 0.\n"
    )
    assert AuditEvent.unscoped.filter(action="area.loaded").count() == 1
    quiet = StringIO()
    call_command("load_areas", "--quiet", stdout=quiet)
    assert quiet.getvalue() == ""
    assert Area.objects.count() == 7
    assert AuditEvent.unscoped.filter(action="area.loaded").count() == 1
