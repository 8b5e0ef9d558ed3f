"""Seed the catalogue with the associations SổHội is first made for (DOMAIN.md §1.4, §5).

Membership rules are data: the Hội NCT age rule (từ đủ 60, 55–59 by exception) is here, not in code.
"""

from django.db import migrations

ASSOCIATIONS = [
    {
        "code": "nct",
        "name": "Hội Người cao tuổi",
        "short_name": "Hội NCT",
        "abbreviation": "NCT",
        "membership_rule": {
            "min_age": 60,
            "exception_min_age": 55,
            "note": "Công dân Việt Nam từ đủ 60 tuổi; từ 55 đến dưới 60 tuổi tích cực tham gia có thể được kết nạp.",
        },
    },
    {
        "code": "khuyen-hoc",
        "name": "Hội Khuyến học",
        "short_name": "Hội Khuyến học",
        "abbreviation": "KH",
        "membership_rule": {"min_age": 18, "note": "Công dân Việt Nam tán thành Điều lệ Hội."},
    },
    {
        "code": "nncddc",
        "name": "Hội Nạn nhân chất độc da cam/Dioxin",
        "short_name": "Hội NNCĐDC/Dioxin",
        "abbreviation": "NNCĐDC",
        "membership_rule": {"note": "Nạn nhân chất độc da cam/dioxin và người tán thành Điều lệ Hội."},
    },
    {
        "code": "cuu-tnxp",
        "name": "Hội Cựu Thanh niên xung phong",
        "short_name": "Hội Cựu TNXP",
        "abbreviation": "CTNXP",
        "membership_rule": {"note": "Người từng tham gia lực lượng Thanh niên xung phong."},
    },
    {
        "code": "tu-yeu-nuoc",
        "name": "Hội Tù yêu nước",
        "short_name": "Hội Tù yêu nước",
        "abbreviation": "TYN",
        "membership_rule": {"note": "Người từng bị địch bắt, tù đày; tù binh."},
    },
    {
        "code": "ccb",
        "name": "Hội Cựu chiến binh",
        "short_name": "Hội CCB",
        "abbreviation": "CCB",
        "membership_rule": {"note": "Cựu quân nhân đã tham gia chiến đấu, phục vụ trong quân đội."},
    },
]


def seed(apps, schema_editor):
    Association = apps.get_model("orgunits", "Association")
    for row in ASSOCIATIONS:
        Association.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("orgunits", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
