"""The demo's trees, reform and users, read from one shared build (conftest.shared_demo)."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sohoi.accounts.models import RoleGrant, User
from sohoi.accounts.permissions import ADMIN_PERMS, VIEW_PERMS, perms_for, visible_unit_paths
from sohoi.core.models import AuditEvent
from sohoi.core.scoping import unit_scope
from sohoi.demo.areas import AreaBook
from sohoi.demo.seeding import DEFAULT_SEED, password_for
from sohoi.demo.units import CHANH_LO, NEW_BAC_NINH_NAME, PROVINCE_DECISION, REFORM_ON
from sohoi.demo.users import LOGINS
from sohoi.orgunits.models import Area, AreaLevel, OrgUnit, UnitEvent, UnitEventKind, UnitEventLink, UnitLevel


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def successor_of(unit: OrgUnit) -> OrgUnit:
    link = UnitEventLink.unscoped.get(org_unit=unit, role="source", event__kind=UnitEventKind.MERGED)
    return UnitEventLink.unscoped.get(event=link.event, role="target").org_unit


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_bac_giang_closes_on_reform_day_and_its_successor_is_the_new_bac_ninh(demo):
    bac_giang = OrgUnit.unscoped.get(pk=demo.units["nct/bacgiang"].pk)
    old_bac_ninh = OrgUnit.unscoped.get(pk=demo.units["nct/bacninh-truoc-2025"].pk)
    new_bac_ninh = demo.units["nct/bacninh"]

    assert bac_giang.closed_on == date(2025, 7, 1) and old_bac_ninh.closed_on == date(2025, 7, 1)
    assert (bac_giang.area.scheme, bac_giang.area.code) == ("pre2025", "24")
    assert successor_of(bac_giang) == new_bac_ninh == successor_of(old_bac_ninh)
    assert new_bac_ninh.is_open and new_bac_ninh.name == NEW_BAC_NINH_NAME == old_bac_ninh.name
    assert (new_bac_ninh.area.scheme, new_bac_ninh.area.code) == ("2025", "24")
    assert new_bac_ninh.opened_on == REFORM_ON
    merge = UnitEventLink.unscoped.get(org_unit=bac_giang, role="source").event
    assert merge.decision_ref == PROVINCE_DECISION and merge.effective_on == REFORM_ON


def test_reform_leaves_the_old_tree_closed_and_moves_every_chi_hoi_under_a_new_commune(demo):
    old_roots = [demo.units["nct/bacgiang"], demo.units["nct/bacninh-truoc-2025"]]
    new_bac_ninh = demo.units["nct/bacninh"]
    old_branch_keys = [k for k, u in demo.units.items() if u.level == UnitLevel.BRANCH and k.startswith(
        ("nct/bacgiang/", "nct/bacninh-truoc-2025/"))]  # fmt: skip

    with unit_scope(old_roots):
        old_tree = list(OrgUnit.objects.all())
    assert {u.level for u in old_tree} == {UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE}
    assert all(u.closed_on == REFORM_ON for u in old_tree)
    districts = [u for u in old_tree if u.level == UnitLevel.DISTRICT]
    assert len(districts) == 4 and all(OrgUnit.unscoped.filter(parent=d).exists() for d in districts)

    with unit_scope(new_bac_ninh):
        new_tree = list(OrgUnit.objects.select_related("area"))
    communes = [u for u in new_tree if u.level == UnitLevel.COMMUNE]
    assert {u.area.code for u in communes} == {"07375", "07381", "07399", "07339", "07306", "09319", "09349",
                                                "09193", "09202"}  # fmt: skip
    assert all(u.is_open and u.area.scheme == "2025" and u.parent_id == new_bac_ninh.pk for u in communes)
    assert len(old_branch_keys) >= 26
    assert {demo.units[k].pk for k in old_branch_keys} <= {
        u.pk for u in new_tree if u.level == UnitLevel.BRANCH
    }
    assert sum(u.level == UnitLevel.GROUP for u in new_tree) == 2
    renamed = UnitEvent.unscoped.get(org_unit=new_bac_ninh, kind=UnitEventKind.RENAMED)
    assert renamed.data["new_name"] == NEW_BAC_NINH_NAME and renamed.effective_on == REFORM_ON


def test_each_old_commune_merged_into_the_commune_of_the_conversion_table(demo):
    areas = AreaBook()
    old_communes = [u for k, u in demo.units.items() if u.level == UnitLevel.COMMUNE and k.startswith(
        ("nct/bacgiang/", "nct/bacninh-truoc-2025/"))]  # fmt: skip

    assert len(old_communes) == 14
    for commune in old_communes:
        assert successor_of(commune).area == areas.successor(commune.area)


def test_chanh_lo_has_five_associations_with_eight_quarters(demo):
    ward = Area.objects.get(scheme="pre2025", code=CHANH_LO)
    quarters = Area.objects.filter(parent=ward, level=AreaLevel.HAMLET).order_by("code")

    assert [q.name for q in quarters] == [f"Tổ dân phố {n}" for n in range(1, 9)]
    units = OrgUnit.unscoped.filter(area=ward).select_related("association", "parent")
    assert sorted(u.association.code for u in units) == sorted(
        ["nncddc", "nct", "khuyen-hoc", "cuu-tnxp", "tu-yeu-nuoc"]
    )
    for unit in units:
        assert unit.level == UnitLevel.COMMUNE and unit.is_open
        assert unit.parent.level == UnitLevel.PROVINCE and unit.parent.name.endswith("tỉnh Quảng Ngãi")
        branches = OrgUnit.unscoped.filter(parent=unit)
        assert branches.exists() and all(b.area.parent_id == ward.pk for b in branches)
    nct_ward = units.get(association__code="nct")
    assert nct_ward.name == "Hội NCT phường Chánh Lộ"
    assert OrgUnit.unscoped.filter(parent=nct_ward, level=UnitLevel.BRANCH).count() == 8
    assert (
        OrgUnit.unscoped.get(name="Hội Khuyến học tỉnh Quảng Ngãi").parent.name == "Hội Khuyến học Việt Nam"
    )


def test_demo_users_hold_the_roles_of_their_level(demo):
    central, province = demo.units["nct"], demo.units["nct/bacninh"]
    commune, branch = demo.units["nct/bacninh/07375"], demo.units["nct/bacgiang/217/07375/to-dan-pho-1"]

    assert perms_for(user("trunguong.viewer"), branch) == VIEW_PERMS
    assert "members.change" in perms_for(user("trunguong.editor"), province)
    assert perms_for(user("tinh.bacninh.admin"), commune) >= ADMIN_PERMS
    assert perms_for(user("tinh.bacninh.viewer"), central) == frozenset()
    assert perms_for(user("xa.langgiang.admin"), branch) >= ADMIN_PERMS
    assert perms_for(user("xa.langgiang.admin"), demo.units["nct/bacninh/07381"]) == frozenset()
    assert perms_for(user("chihoi.langgiang.editor"), branch) == perms_for(user("trunguong.editor"), branch)
    assert perms_for(user("chihoi.langgiang.viewer"), commune) == frozenset()
    assert perms_for(user("tp.haiphong.admin"), province) == frozenset()
    assert user("quantri").is_superuser and perms_for(user("quantri"), branch) >= ADMIN_PERMS
    assert visible_unit_paths(user("chihoi.langgiang.admin")).paths == (branch.path,)


def test_chanh_lo_ward_cadre_sees_the_ward_hoi_nct_and_not_bac_ninh(demo):
    cadre = user("canbo.chanhlo")
    ward_nct = demo.units["nct/quangngai/chanhlo"]

    assert perms_for(cadre, ward_nct) >= ADMIN_PERMS
    assert perms_for(cadre, demo.units["nct/bacninh"]) == frozenset()
    assert perms_for(cadre, demo.units["khuyen-hoc/quangngai/chanhlo"]) == frozenset()
    assert visible_unit_paths(cadre).paths == (ward_nct.path,)
    assert not visible_unit_paths(cadre).covers(demo.units["nct/bacninh/07375"].path)


def test_ward_peoples_committee_sees_every_association_of_the_ward_read_only(demo):
    committee = user("ubnd.chanhlo")
    wards = [
        demo.units[f"{code}/quangngai/chanhlo"]
        for code in ("nct", "khuyen-hoc", "nncddc", "cuu-tnxp", "tu-yeu-nuoc")
    ]

    grant = RoleGrant.unscoped.get(user=committee)
    assert grant.org_unit is None and grant.area.code == CHANH_LO and not grant.associations.exists()
    for ward in wards:
        assert perms_for(committee, ward) == VIEW_PERMS
        assert visible_unit_paths(committee).covers(ward.path)
    assert perms_for(committee, demo.units["nct/quangngai"]) == frozenset()
    assert perms_for(committee, demo.units["nct/bacninh"]) == frozenset()
    assert not visible_unit_paths(committee).covers(demo.units["nct/haiphong"].path)


def test_demo_passwords_are_the_ones_printed_and_pass_the_validators(demo):
    for login in LOGINS:
        assert user(login.username).check_password(password_for(DEFAULT_SEED, login.username))
    assert not user("quantri").check_password(password_for(DEFAULT_SEED + 1, "quantri"))


def test_if_empty_is_a_no_op_on_a_demo_database(demo):
    before = (OrgUnit.unscoped.count(), User.objects.count(), AuditEvent.unscoped.count())

    output = run("--if-empty")

    assert "bỏ qua" in output
    assert (OrgUnit.unscoped.count(), User.objects.count(), AuditEvent.unscoped.count()) == before


def test_a_second_run_without_if_empty_is_refused(demo):
    before = OrgUnit.unscoped.count()

    with pytest.raises(CommandError, match="đã có đơn vị"):
        run("--seed", "5")

    assert OrgUnit.unscoped.count() == before


def test_print_logins_lists_every_demo_login_of_an_existing_database(demo):
    output = run("--print-logins")  # no seed stored here: the default one

    for login in LOGINS:
        assert f"{login.username} " in output
        assert password_for(DEFAULT_SEED, login.username) in output
    assert "Hội NCT phường Chánh Lộ" in output and "Phường Chánh Lộ — mọi hội trên địa bàn" in output
    assert OrgUnit.unscoped.count() == len(demo.units)
