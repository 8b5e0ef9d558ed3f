"""Demo report data: the population of the demo areas (the gathering rate's denominator), the
targets of the ward of Chánh Lộ with those handed down to its chi hội, its letterhead and the
narrative of last year's and this year's year-end reports. Written through the report services
after the members (the figures they are based on), as the system."""

from __future__ import annotations

import math
from datetime import date

from sohoi.orgunits.models import OrgUnit, UnitLevel
from sohoi.reports.indicators import StatsPeriod
from sohoi.reports.selectors import unit_figures
from sohoi.reports.services import (
    YearReportInput,
    letterhead_save,
    population_set,
    target_set,
    targets_hand_down,
    year_report_save,
)

from .build import DemoBuild, register_member_builder

WARD_KEY = "nct/quangngai/chanhlo"

NARRATIVE = YearReportInput(
    place="Chánh Lộ",
    preamble=(
        "Thực hiện Chương trình công tác năm của Hội Người cao tuổi tỉnh và Nghị quyết của Đảng ủy phường, "
        "Ban Chấp hành Hội NCT phường báo cáo kết quả công tác Hội năm qua như sau:"
    ),
    situation=(
        "Phường có các tổ dân phố với đông người cao tuổi; đời sống của người cao tuổi từng bước được cải thiện. "
        "Thuận lợi: được cấp ủy, chính quyền quan tâm; khó khăn: kinh phí hoạt động còn hạn chế."
    ),
    achievements=(
        "Tổ chức tốt việc mừng thọ người cao tuổi tròn 70, 75, 80, 85, 90 tuổi và trên 100 tuổi.\n"
        "Các chi hội sinh hoạt đều đặn hằng quý; phong trào \u201cTuổi cao \u2013 Gương sáng\u201d được hưởng ứng."
    ),
    shortcomings="Tỷ lệ tập hợp hội viên ở một số tổ dân phố còn thấp; việc cập nhật sổ hội viên chưa kịp thời.",
    causes="Một số chi hội trưởng tuổi cao, sức yếu; chưa quen dùng máy tính.",
    lessons="Phải bám sát cơ sở, phân công rõ người, rõ việc.",
    directions=(
        "Phấn đấu kết nạp thêm hội viên mới, nâng tỷ lệ tập hợp; duy trì sinh hoạt chi hội; "
        "làm tốt công tác chăm sóc, phát huy vai trò người cao tuổi."
    ),
    proposals="Đề nghị UBND phường hỗ trợ kinh phí mừng thọ và sinh hoạt câu lạc bộ.",
    recipients="Thường trực Đảng ủy phường (để b/c)\nUBND, UB MTTQ phường (để b/c)\nHội NCT tỉnh\nCác chi hội\nLưu: VT.",
    signer_authority="TM. BAN CHẤP HÀNH",
    signer_title="CHỦ TỊCH",
    signer_name="Nguyễn Văn Thành",
)


def build_report_demo(build: DemoBuild, _count: int, *, today: date | None = None) -> None:
    today = today or date.today()
    rng = build.rng
    # The population is a fact of the area: counted once, against the Hội NCT of the area.
    communes = {
        u.area_id: u
        for key, u in sorted(build.units.items())
        if key.startswith("nct/") and u.level == UnitLevel.COMMUNE and u.area_id and u.is_open
    }.values()
    for year in (today.year - 1, today.year):
        period = StatsPeriod.for_year(year, today=today)
        for commune in communes:
            elderly = unit_figures(unit=commune, period=period, with_children=False, only=["members_60_plus"])
            counted = elderly.total["members_60_plus"] or 0
            if counted:
                population = math.ceil(counted / rng.uniform(0.78, 0.96))
                population_set(unit=commune, year=year, aged_60_plus=population, total=population * 7,
                               source="Số liệu dân số của UBND phường", actor=None)  # fmt: skip
    ward = build.units.get(WARD_KEY)
    if ward is None:
        return
    ward = OrgUnit.unscoped.select_related("association", "area").get(pk=ward.pk)
    letterhead_save(
        unit=ward, parent_body="HỘI NGƯỜI CAO TUỔI TỈNH QUẢNG NGÃI", issuer="BCH HỘI NCT PHƯỜNG CHÁNH LỘ",
        issuer_abbreviation="NCT", place="Chánh Lộ", actor=None,
    )  # fmt: skip
    now = unit_figures(unit=ward, period=StatsPeriod.for_year(today.year, today=today)).total
    for year in (today.year, today.year + 1):
        grow = 1.03 if year == today.year else 1.06
        for name, value in (
            ("members", math.ceil((now["members"] or 0) * grow)),
            ("new_members", max(3, math.ceil((now["members"] or 0) * 0.05))),
            ("members_with_card", math.ceil((now["members"] or 0) * 0.9)),
            ("gathering_rate", 90 if year == today.year else 92),
        ):
            target_set(unit=ward, setter=ward, year=year, indicator=name, value=value, actor=None)
    children = list(OrgUnit.unscoped.filter(parent=ward, closed_on__isnull=True).order_by("path"))
    if children:
        targets_hand_down(parent=ward, year=today.year, indicator="new_members",
                          values={child: rng.randint(1, 3) for child in children}, actor=None)  # fmt: skip
    for year in (today.year - 1, today.year):
        data = YearReportInput(**{**NARRATIVE.__dict__, "number": f"{rng.randint(10, 40)}/BC-NCT",
                                  "issued_on": date(year, 12, 5) if year < today.year else None})  # fmt: skip
        year_report_save(unit=ward, year=year, data=data, version=None, actor=None)


register_member_builder(build_report_demo)
