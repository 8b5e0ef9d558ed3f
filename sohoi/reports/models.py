"""What a unit enters for its reports: targets (chỉ tiêu), the population its gathering rate is
measured against, the narrative of the year-end report and the letterhead of its documents.

The figures themselves are never stored here: they are computed from the register
(``indicators.py``), so the report of a year reads the same whenever it is opened.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sohoi.core.models import BaseModel
from sohoi.core.scoping import unit_scoped_manager


class Target(BaseModel):
    """A number a unit aims for on one indicator in one year.

    Set by the unit itself (``set_by`` is the unit) or handed down by a level above (``set_by`` is
    that unit); a handed-down target is changed only from the level that set it.
    """

    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="targets", verbose_name=_("đơn vị"),
        db_index=False,
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("năm"))
    indicator = models.CharField(_("chỉ tiêu"), max_length=64)
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị giao"),
        db_index=False,
    )  # fmt: skip
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year", "indicator"], name="reports_target_one_per_year"
            ),
        ]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"

    @property
    def is_handed_down(self) -> bool:
        return self.set_by_id != self.org_unit_id


class AreaPopulation(BaseModel):
    """People of an area in a year, as the commune's population figures give them: the
    denominator of the gathering rate (DOMAIN.md §3.2). Not personal data."""

    area = models.ForeignKey(
        "orgunits.Area", on_delete=models.PROTECT, related_name="populations", verbose_name=_("địa bàn"),
        db_index=False,
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("năm"))
    aged_60_plus = models.PositiveIntegerField(_("người từ 60 tuổi trở lên"))
    total = models.PositiveIntegerField(_("tổng dân số"), null=True, blank=True)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="reports_population_one_per_year"),
        ]
        verbose_name = _("dân số địa bàn")
        verbose_name_plural = _("dân số địa bàn")

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}: {self.aged_60_plus}"


class YearReport(BaseModel):
    """The parts of a unit's year-end report that people write: number, place and date, the
    narrative sections, recipients and signature. The numbers are filled in from the register."""

    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="year_reports", verbose_name=_("đơn vị"),
        db_index=False,
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.CharField(_("số văn bản"), max_length=40, blank=True, help_text=_("Ví dụ: 15/BC-NCT"))
    place = models.CharField(_("địa danh"), max_length=80, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    # Figures are counted as of this day (some issuers cut off on 30 September: DOMAIN.md §3.3).
    cut_off = models.DateField(_("số liệu tính đến ngày"), null=True, blank=True)
    preamble = models.TextField(_("căn cứ"), blank=True)
    situation = models.TextField(_("đặc điểm tình hình"), blank=True)
    achievements = models.TextField(_("kết quả đạt được"), blank=True)
    shortcomings = models.TextField(_("tồn tại, hạn chế"), blank=True)
    causes = models.TextField(_("nguyên nhân"), blank=True)
    lessons = models.TextField(_("bài học kinh nghiệm"), blank=True)
    directions = models.TextField(_("phương hướng, nhiệm vụ năm sau"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận."))
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=60, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=60, blank=True)
    signer_name = models.CharField(_("họ tên người ký"), max_length=120, blank=True)
    version = models.PositiveIntegerField(default=1)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year"], name="reports_year_report_one_per_year"),
        ]
        verbose_name = _("báo cáo năm")
        verbose_name_plural = _("báo cáo năm")

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.year}"


class Letterhead(BaseModel):
    """The heading lines of a unit's documents (Nghị định 30/2020, DOMAIN.md §7.2). Empty fields
    fall back to names derived from the unit tree."""

    org_unit = models.OneToOneField(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="letterhead", verbose_name=_("đơn vị")
    )
    parent_body = models.CharField(
        _("cơ quan cấp trên"), max_length=160, blank=True, help_text=_("Ví dụ: HỘI NGƯỜI CAO TUỔI TỈNH …")
    )
    issuer = models.CharField(
        _("cơ quan ban hành"), max_length=160, blank=True, help_text=_("Ví dụ: BCH HỘI NCT PHƯỜNG …")
    )
    issuer_abbreviation = models.CharField(
        _("chữ viết tắt cơ quan"), max_length=20, blank=True, help_text=_("Dùng trong số văn bản: 15/BC-NCT")
    )
    place = models.CharField(_("địa danh"), max_length=80, blank=True)

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"
        verbose_name = _("tiêu đề văn bản")
        verbose_name_plural = _("tiêu đề văn bản")

    def __str__(self) -> str:
        return f"{self.org_unit_id}: {self.issuer}"


# --- the kept statistics (sohoi/reports/kept.py) ---------------------------------------------
# Counts, never rows of people: what the reports of a province or the nation read instead of
# scanning the register (BASELINES.md §1). Written only by kept.py; kept in step by triggers
# that mark what changed (migration 0002).


class TallyUnit(models.Model):
    """Each unit and the unit its members are counted under: its nearest ancestor-or-self at
    commune level or above (the "tally unit")."""

    unit = models.OneToOneField(
        "orgunits.OrgUnit", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    tally = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.tally_id}"


class MemberTally(models.Model):
    """Members of a tally unit on a kept day, by gender and age band (the band of that day), with
    the sum of their ages and how many hold a card or are honorary members."""

    day = models.DateField()
    tally = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+", db_index=False)
    gender = models.CharField(max_length=6, blank=True)
    band = models.CharField(max_length=16)
    n = models.PositiveIntegerField()
    age_sum = models.BigIntegerField(default=0)
    card = models.PositiveIntegerField(default=0)
    honorary = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "tally"], name="reports_membertally_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.tally_id}: {self.n}"


class FlowTally(models.Model):
    """Admissions, re-admissions, deaths and departures of a tally unit on a day, and (``month``)
    over the month that starts on ``day``: a year is read as twelve monthly rows."""

    day = models.DateField()
    month = models.BooleanField(default=False)
    tally = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=12)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["month", "day", "tally"], name="reports_flowtally_day_idx"),
            models.Index(fields=["tally"], name="reports_flowtally_tally_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.tally_id} {self.kind}: {self.n}"


class TransferTally(models.Model):
    """Transfers on a day from one tally unit to another (moves inside one are left out)."""

    day = models.DateField()
    to_tally = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    from_tally = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="reports_transfertally_day_idx"),
            models.Index(fields=["to_tally"], name="reports_transfertally_to_idx"),
            models.Index(fields=["from_tally"], name="reports_transfertally_from_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.from_tally_id} → {self.to_tally_id}: {self.n}"


class TallyDay(models.Model):
    """A day whose member counts are kept (the most recently used few are kept)."""

    day = models.DateField(unique=True)
    used_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.day)


class TallyState(models.Model):
    """Which parts of the kept statistics exist ("units", "flows"); its "lock" row serialises
    the refreshes."""

    name = models.CharField(max_length=16, unique=True)

    def __str__(self) -> str:
        return self.name


class StaleMark(models.Model):
    """The path of a unit whose counts changed, written by database triggers on every change of a
    membership, stay, event, person (gender, birth year) or unit (path, level). One row per path:
    a new change gives it a new random ``seq``, so a refresh deletes only the marks it has read."""

    path = models.CharField(max_length=255, unique=True)
    seq = models.BigIntegerField()

    def __str__(self) -> str:
        return self.path
