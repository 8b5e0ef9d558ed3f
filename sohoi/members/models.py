"""People, their memberships of a unit, and the lifecycle events that make a membership's state.

The events are the record (joined, transferred, left, died, re-joined, honorary). A membership
row carries the state they lead to, and a ``MembershipStay`` row each earlier stay in a unit, so
"members of unit U on day D" is one indexed query for any past day (services keep the three in
step; ``rebuild_state`` recomputes them from the events).

Personal data is scoped like every unit-owned row: a person is visible where one of their
memberships lies in the active scope.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope
from django_scopes.exceptions import ScopeError
from simple_history.models import HistoricalRecords

from sohoi.core.models import BaseModel, new_code
from sohoi.core.scoping import UnitPaths, unit_scoped_manager


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class DatePrecision(models.TextChoices):
    """How much of a date is known: old lists often give only the year of birth or of joining."""

    DAY = "day", _("ngày")
    MONTH = "month", _("tháng")
    YEAR = "year", _("năm")


class IdType(models.TextChoices):
    CCCD = "cccd", _("Căn cước (12 số)")
    CMND = "cmnd", _("CMND cũ (9 số)")


class PersonQuerySet(models.QuerySet):
    def current(self) -> PersonQuerySet:
        """Without the records merged into another person by a de-duplication."""
        return self.filter(merged_into__isnull=True)


class PersonManager(models.Manager.from_queryset(PersonQuerySet)):  # type: ignore[misc]
    """Fails closed like the unit-scoped managers: a person is in scope when one of their
    memberships is. An EXISTS, not a join, so a person with two memberships appears once."""

    def get_queryset(self) -> PersonQuerySet:
        queryset = super().get_queryset()
        current = get_scope()
        if not current.get("_enabled", True):
            return queryset
        if "unit" not in current:
            raise ScopeError("A scope on dimension(s) unit needs to be active for this query.")
        paths = current["unit"]
        if not isinstance(paths, UnitPaths):
            paths = UnitPaths.of([paths] if isinstance(paths, str) else paths)
        in_scope = Membership.unscoped.filter(person=OuterRef("pk"), org_unit__path__within=paths)
        return queryset.filter(Exists(in_scope))


class Person(BaseModel):
    """A natural person. Names are stored NFC as written, with the split parts and two derived
    keys: ``search_name`` (accent- and case-folded) and ``name_key`` (lower case, accents kept)."""

    full_name = models.CharField(_("họ và tên"), max_length=120)
    family_name = models.CharField(_("họ"), max_length=60, blank=True)
    middle_name = models.CharField(_("tên đệm"), max_length=60, blank=True)
    given_name = models.CharField(_("tên"), max_length=60)
    search_name = models.CharField(max_length=120, editable=False)
    name_key = models.CharField(max_length=120, editable=False)

    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_precision = models.CharField(
        _("độ chính xác ngày sinh"), max_length=5, choices=DatePrecision.choices, blank=True
    )
    # Kept beside the date: age bands, birth-year filters and duplicate detection read it.
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=6, choices=Gender.choices, blank=True)

    id_type = models.CharField(_("loại giấy tờ"), max_length=4, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("số CCCD/CMND"), max_length=12, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=16, blank=True, help_text=_("Lưu dạng +84…"))
    phone_note = models.CharField(
        _("ghi chú số điện thoại"), max_length=80, blank=True, help_text=_("Ví dụ: số của con trai")
    )

    # Foreign keys without their own index where no query starts from them: each index costs
    # every imported row (BASELINES.md §3); area filters run inside a unit's rows.
    area = models.ForeignKey(
        "orgunits.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("xã/phường"), db_index=False,
    )  # fmt: skip
    hamlet = models.ForeignKey(
        "orgunits.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("thôn/tổ dân phố"), db_index=False,
    )  # fmt: skip
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=50, blank=True)

    # Sensitive data (DOMAIN.md §6.2): kept only while a consent is on record (services check).
    religion = models.CharField(_("tôn giáo"), max_length=50, blank=True)
    health_note = models.CharField(_("tình trạng sức khỏe"), max_length=255, blank=True)
    policy_status = models.CharField(
        _("diện chính sách"), max_length=255, blank=True, help_text=_("Ví dụ: thương binh, hộ nghèo")
    )

    died_on = models.DateField(_("ngày mất"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from",
        verbose_name=_("đã gộp vào"), db_index=False,
    )  # fmt: skip
    # Optimistic concurrency: an edit states the version it started from (never a silent overwrite).
    version = models.PositiveIntegerField(default=1)

    objects = PersonManager()
    unscoped = PersonQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_name", "name_key", "version", "updated_at"])

    SENSITIVE_FIELDS = ("religion", "health_note", "policy_status")

    class Meta:
        base_manager_name = "unscoped"
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__isnull=True) | ~Q(birth_precision=""),
                name="members_person_birth_precision_given",
            ),
        ]
        indexes = [
            # Search by citizen ID (prefix) and duplicate detection by the same ID.
            models.Index(fields=["id_number"], name="members_person_id_number_idx"),
            # Search by phone number (prefix of the +84 form).
            models.Index(fields=["phone"], name="members_person_phone_idx"),
            # Duplicate detection: same folded name and birth year (then the commune).
            models.Index(fields=["search_name", "birth_year"], name="members_person_dedupe_idx"),
        ]
        verbose_name = _("người")
        verbose_name_plural = _("người")

    def __str__(self) -> str:
        return self.full_name

    def age_in(self, year: int) -> int | None:
        """Age counted by calendar year (DOMAIN.md §4): the year minus the birth year."""
        return year - self.birth_year if self.birth_year else None


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Đang sinh hoạt")
    LEFT = "left", _("Đã thôi")
    DECEASED = "deceased", _("Đã mất")


class Membership(BaseModel):
    """A person's membership of one association, held in one unit at a time.

    One per person and association: leaving and re-joining reuse it (the events tell the story).
    ``org_unit`` and ``unit_since`` are the current (or last) stay; earlier stays are
    ``MembershipStay`` rows. ``sort_key`` copies the person's name order so a unit's list pages by
    keyset on one index.
    """

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    # person_id lookups use the (person, association) unique index; org_unit_id ones the list
    # index (org_unit, sort_key, id); number_issuer_id ones the member-number constraint.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", db_index=False)
    association = models.ForeignKey(
        "orgunits.Association", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("đơn vị"),
        db_index=False,
    )
    member_number = models.CharField(_("số hội viên"), max_length=30, blank=True)
    # The unit whose register issued the member number: numbers are unique per issuing unit.
    number_issuer = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    card_number = models.CharField(_("số thẻ"), max_length=30, blank=True)
    card_issued_on = models.DateField(_("ngày cấp thẻ"), null=True, blank=True)

    joined_on = models.DateField(_("ngày vào hội"))
    joined_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    unit_since = models.DateField(_("sinh hoạt tại đơn vị từ"))
    status = models.CharField(
        _("tình trạng"), max_length=8, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    ended_on = models.DateField(_("ngày thôi/mất"), null=True, blank=True)
    is_honorary = models.BooleanField(_("hội viên danh dự"), default=False)

    sort_key = models.CharField(max_length=255, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()
    history = HistoricalRecords(excluded_fields=["sort_key", "version", "updated_at"])

    class Meta:
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "association"], name="members_membership_one_per_association"
            ),
            models.UniqueConstraint(
                fields=["number_issuer", "member_number"],
                condition=~Q(member_number=""),
                name="members_membership_number_unique_per_issuer",
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True)
                | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="members_membership_ended_iff_not_active",
            ),  # fmt: skip
        ]
        indexes = [
            # The member list of a unit: keyset pages in roster order (BASELINES.md §5).
            models.Index(fields=["org_unit", "sort_key", "id"], name="members_ms_unit_sort_idx"),
            # Search by member number.
            models.Index(fields=["member_number"], name="members_ms_number_idx"),
        ]
        verbose_name = _("hội viên")
        verbose_name_plural = _("hội viên")

    def __str__(self) -> str:
        return f"{self.person} ({self.association_id})"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    def is_active_on(self, day: date) -> bool:
        """In the current stay on ``day`` (earlier stays are MembershipStay rows)."""
        return self.unit_since <= day and (self.ended_on is None or day < self.ended_on)


class EventKind(models.TextChoices):
    JOINED = "joined", _("Vào hội")
    TRANSFERRED = "transferred", _("Chuyển sinh hoạt")
    LEFT = "left", _("Thôi sinh hoạt")
    DIED = "died", _("Từ trần")
    REJOINED = "rejoined", _("Vào lại hội")
    HONORARY = "honorary", _("Hội viên danh dự")


class MembershipEvent(BaseModel):
    """A dated fact of a membership's life. Never edited in place: a mistake is corrected by a
    new event and a rebuild, so the timeline shows what was recorded and when."""

    # Indexed only through the composite indexes below (one per query that reads events).
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    kind = models.CharField(_("loại"), max_length=12, choices=EventKind.choices)
    # The unit the membership is in after the event (the target of a transfer): scoping reads it.
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    from_unit = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    happened_on = models.DateField(_("ngày"))
    precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    # A transfer made by a merge or split of units points to that unit event.
    cause = models.ForeignKey(
        "orgunits.UnitEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"
        ordering = ["happened_on", "id"]
        indexes = [
            # The timeline of one membership.
            models.Index(fields=["membership", "happened_on"], name="members_event_ms_idx"),
            # Events of a unit in a period (new members, deaths, transfers in: the statistics).
            models.Index(fields=["org_unit", "happened_on"], name="members_event_unit_idx"),
            # Transfers out of a unit in a period: only transfer events have a from_unit.
            models.Index(
                fields=["from_unit", "happened_on"],
                condition=Q(from_unit__isnull=False),
                name="members_event_from_unit_idx",
            ),
        ]
        verbose_name = _("sự kiện hội viên")
        verbose_name_plural = _("sự kiện hội viên")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"


class MembershipStay(models.Model):
    """An earlier, finished stay of a membership in one unit: [started_on, ended_on).

    Derived from the events; with the current stay on Membership it answers "members of U on D".
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="stays")
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    started_on = models.DateField()
    ended_on = models.DateField()

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"
        indexes = [
            # Past members of a unit on a day.
            models.Index(fields=["org_unit", "started_on"], name="members_stay_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.started_on}–{self.ended_on}"


class ConsentMethod(models.TextChoices):
    SIGNATURE = "signature", _("Ký giấy")
    THUMBPRINT = "thumbprint", _("Điểm chỉ")
    REPRESENTATIVE = "representative", _("Người đại diện ký")
    ELECTRONIC = "electronic", _("Xác nhận điện tử")


class Consent(BaseModel):
    """A person's consent to keep sensitive data (DOMAIN.md §6.3): explicit, per purpose,
    withdrawable. Elderly members often consent on paper: the method and notice are recorded."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    # The unit that recorded it: scoping reads it.
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    purposes = models.CharField(_("mục đích"), max_length=255)
    method = models.CharField(_("hình thức"), max_length=16, choices=ConsentMethod.choices)
    given_on = models.DateField(_("ngày đồng ý"))
    notice_version = models.CharField(_("phiên bản thông báo"), max_length=40, blank=True)
    representative = models.CharField(_("người đại diện"), max_length=120, blank=True)
    withdrawn_on = models.DateField(_("ngày rút lại"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"
        ordering = ["-given_on", "-id"]
        verbose_name = _("đồng ý xử lý dữ liệu")
        verbose_name_plural = _("đồng ý xử lý dữ liệu")

    def __str__(self) -> str:
        return f"{self.person_id} {self.given_on}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class MemberNumberCounter(models.Model):
    """The last sequence number an issuing unit gave (locked while numbering a new member)."""

    org_unit = models.OneToOneField("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    last_value = models.PositiveIntegerField(default=0)

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"

    def __str__(self) -> str:
        return f"{self.org_unit_id}: {self.last_value}"


class JobKind(models.TextChoices):
    IMPORT = "import", _("Nhập danh sách")
    EXPORT = "export", _("Xuất danh sách")
    CARDS = "cards", _("In thẻ hội viên")
    REPORT = "report", _("Tệp báo cáo năm")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    READY = "ready", _("Đã xem trước, chờ xác nhận")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class FileJob(BaseModel):
    """A spreadsheet import, an export or a card sheet, run in the background for large files.

    The page polls it, so a reload (or a lost connection) finds the job where it is. Files live
    under MEDIA_ROOT/jobs/<code>/; ``result`` holds the preview or the report (JSON).
    """

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    kind = models.CharField(max_length=8, choices=JobKind.choices)
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveIntegerField(default=0)  # rows (or members) done
    total = models.PositiveIntegerField(null=True, blank=True)  # rows expected, when known
    input_name = models.CharField(max_length=255, blank=True)  # the uploaded file's own name
    input_path = models.CharField(max_length=500, blank=True)
    output_path = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)  # filters, column mapping overrides
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)  # a clear, translated reason when it failed
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The recent jobs of a unit (import and export pages).
            models.Index(fields=["org_unit", "kind", "-created_at"], name="members_job_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} {self.status}"
