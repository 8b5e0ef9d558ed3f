"""Associations, administrative areas and the unit tree of every association."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from sohoi.core.models import BaseModel, new_code
from sohoi.core.scoping import PATH_MAX_LENGTH, UnitPathField, ancestor_paths, unit_scoped_manager


class Association(BaseModel):
    """A kind of Hội (NCT, Khuyến học …). Its membership rule is data, not code (DOMAIN.md §1.4)."""

    code = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200, unique=True)
    short_name = models.CharField(_("tên ngắn"), max_length=80)
    abbreviation = models.CharField(
        _("chữ viết tắt"), max_length=20, help_text=_("Dùng trong số văn bản, ví dụ NCT")
    )
    membership_rule = models.JSONField(_("điều kiện hội viên"), default=dict, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("hội")
        verbose_name_plural = _("các hội")

    def __str__(self) -> str:
        return self.name

    @property
    def min_age(self) -> int | None:
        return self.membership_rule.get("min_age")


class AreaScheme(models.TextChoices):
    BEFORE_2025 = "pre2025", _("Trước 1/7/2025 (3 cấp)")
    FROM_2025 = "2025", _("Từ 1/7/2025 (2 cấp)")


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/thành phố")
    DISTRICT = "district", _("Quận/huyện")
    COMMUNE = "commune", _("Xã/phường")
    HAMLET = "hamlet", _("Thôn/tổ dân phố")


class Area(MP_Node, BaseModel):
    """An administrative area, in the divisions before 1 July 2025 or after it.

    Reference data, not personal: it is read unscoped.
    """

    path = UnitPathField(max_length=PATH_MAX_LENGTH, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    scheme = models.CharField(_("hệ thống"), max_length=8, choices=AreaScheme.choices)
    level = models.CharField(_("cấp"), max_length=10, choices=AreaLevel.choices)
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=120)
    division_type = models.CharField(_("loại"), max_length=40, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = MP_NodeManager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="orgunits_area_code_unique_per_scheme"),
        ]
        indexes = [
            # Children of an area on demand (area browser, commune pickers).
            models.Index(fields=["parent", "name"], name="orgunits_area_parent_name_idx"),
        ]
        verbose_name = _("địa bàn")
        verbose_name_plural = _("địa bàn")

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def ancestor_paths(self) -> list[str]:
        return ancestor_paths(self.path, self.steplen)


class AreaSuccession(models.Model):
    """Old → new area from the 2025 reorganisation (partial when only part of the old area moved)."""

    old_area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="successions")
    new_area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="predecessions")
    is_partial = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["old_area", "new_area"], name="orgunits_area_succession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.old_area} → {self.new_area}"


class UnitLevel(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Tỉnh/thành phố")
    DISTRICT = "district", _("Quận/huyện")
    COMMUNE = "commune", _("Xã/phường (cơ sở)")
    BRANCH = "branch", _("Chi hội")
    GROUP = "group", _("Tổ hội")


LEVEL_ORDER = [
    UnitLevel.CENTRAL,
    UnitLevel.PROVINCE,
    UnitLevel.DISTRICT,
    UnitLevel.COMMUNE,
    UnitLevel.BRANCH,
    UnitLevel.GROUP,
]


def level_fits_under(child_level: str, parent_level: str) -> bool:
    """A unit sits below a higher level (depth varies: a commune may hang under a province).
    Chi hội and tổ hội may nest in their own level, as some provinces keep phân hội between
    them (DOMAIN.md §1.2); nothing sits under a lower level."""
    child, parent = LEVEL_ORDER.index(UnitLevel(child_level)), LEVEL_ORDER.index(UnitLevel(parent_level))
    return child > parent or (child == parent and child_level in (UnitLevel.BRANCH, UnitLevel.GROUP))


class OrgUnitManager(MP_NodeManager):
    pass


class OrgUnit(MP_Node, BaseModel):
    """A unit (tổ chức Hội) of one association: central, province, district, commune, chi hội, tổ hội.

    A closed unit is never deleted: it keeps its history and points to its successors through
    the merge/split events.
    """

    path = UnitPathField(max_length=PATH_MAX_LENGTH, unique=True)
    code = models.CharField(_("mã"), max_length=16, unique=True, default=new_code, editable=False)
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="units")
    # Kept beside the path so the children of a unit (the tree page) and the one-name-per-parent
    # rule are plain indexed lookups; orgunits.services keeps both in step.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    name = models.CharField(_("tên"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="units")
    opened_on = models.DateField(_("thành lập ngày"), null=True, blank=True)
    closed_on = models.DateField(_("giải thể/sáp nhập ngày"), null=True, blank=True)

    objects = unit_scoped_manager("path", manager_class=OrgUnitManager)
    unscoped = OrgUnitManager()

    class Meta:
        ordering = ["path"]
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name_key"],
                condition=Q(closed_on__isnull=True, parent__isnull=False),
                name="orgunits_unit_open_name_unique_per_parent",
            ),
            models.UniqueConstraint(
                fields=["association", "name_key"],
                condition=Q(closed_on__isnull=True, parent__isnull=True),
                name="orgunits_unit_open_root_name_unique_per_association",
            ),
        ]
        indexes = [
            # Children of a unit, loaded on demand by the tree page.
            models.Index(fields=["parent", "name_key"], name="orgunits_unit_parent_idx"),
            # Units of an area (People's Committee view, area grants).
            models.Index(fields=["area", "association"], name="orgunits_unit_area_idx"),
        ]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def is_open_on(self, day: date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (
            self.closed_on is None or day < self.closed_on
        )

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and its ancestors, root first (no query)."""
        return ancestor_paths(self.path, self.steplen)


class UnitEventKind(models.TextChoices):
    CREATED = "created", _("Thành lập")
    RENAMED = "renamed", _("Đổi tên")
    MOVED = "moved", _("Chuyển trực thuộc")
    MERGED = "merged", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")
    CLOSED = "closed", _("Giải thể")


class UnitEvent(BaseModel):
    """A dated, recorded change of the unit tree, with the decision that made it."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    kind = models.CharField(_("loại"), max_length=10, choices=UnitEventKind.choices)
    # The unit the event is about: the successor of a merge, the source of a split, the
    # renamed or moved unit. Events are scoped through it like any unit-owned row.
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="events")
    effective_on = models.DateField(_("hiệu lực từ ngày"))
    decision_ref = models.CharField(_("số quyết định"), max_length=120, blank=True)
    decision_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    cause = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="consequences",
        help_text=_("Sự kiện gây ra sự kiện này, ví dụ một lần sáp nhập chuyển các chi hội"),
    )  # fmt: skip

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        ordering = ["-effective_on", "-id"]
        base_manager_name = "unscoped"
        verbose_name = _("sự kiện tổ chức")
        verbose_name_plural = _("sự kiện tổ chức")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_on}"


class UnitEventRole(models.TextChoices):
    SOURCE = "source", _("Đơn vị cũ")
    TARGET = "target", _("Đơn vị mới")


class UnitEventLink(models.Model):
    """A unit taking part in a merge or split, as a source (closed) or a target (successor)."""

    event = models.ForeignKey(UnitEvent, on_delete=models.CASCADE, related_name="links")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="event_links")
    role = models.CharField(max_length=8, choices=UnitEventRole.choices)

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(fields=["event", "org_unit"], name="orgunits_event_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.org_unit}"
