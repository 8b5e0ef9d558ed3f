"""Realistic member-list files of any size, for the import benchmarks in bench/ (not tests).

``write_members_xlsx`` writes the classic form (two title rows, the Nam | Nữ birth-year
columns under a merged "Năm sinh", a row of column numbers, a footer) with xlsxwriter's
constant_memory mode, so 250,000 rows cost a few MB to write. ``write_members_csv`` writes
the flat form. Both are deterministic for a given seed. ``measure_parse`` times the parsing
layer alone on such a file (rows/s, peak RSS).
"""

from __future__ import annotations

import csv
import random
import resource
import sys
import time
from collections.abc import Iterator
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

FAMILY = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Lâm", "Trịnh", "Mai", "Tô", "Hà", "Lương",
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Đức", "Hữu", "Quang", "Minh", "Công", "Xuân", "Ngọc", "Thế", "Đình"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Hồng", "Thanh", "Mỹ", "Diệu"]
GIVEN_MALE = [
    "Hùng", "Dũng", "Tuấn", "Quyết", "Thắng", "Lộc", "Phúc", "Khải", "Đạt", "Nghĩa", "Trọng",
    "Hưởng", "Cường", "Thịnh", "Vĩnh", "Tỵ", "Ẩn", "Ửng", "Toản", "Quý", "Huỳnh", "Bảy",
]  # fmt: skip
GIVEN_FEMALE = [
    "Lan", "Hương", "Hằng", "Nguyệt", "Thảo", "Nhung", "Yến", "Loan", "Tuyết", "Dung", "Mỹ",
    "Ngữ", "Hoà", "Thuỷ", "Ánh", "Ước", "Nở", "Gấm", "Lụa", "Sửu", "Đào", "Bé",
]  # fmt: skip
HAMLETS = ["Thôn Đông", "Thôn Tây", "Thôn Bắc", "Thôn Nam", "Tổ 1", "Tổ 2", "Tổ 3", "Xóm Chợ", "Ấp 4"]
ETHNICITIES = ["Kinh"] * 18 + ["Tày", "Mường", "Khmer", "Ê Đê"]
PROVINCES = ["001", "024", "027", "038", "040", "051", "079", "092"]
NOTES = ["", "", "", "", "", "", "Chủ tịch chi hội", "Gia đình chính sách", "Ở với con"]
OLD_PREFIXES = ["0162", "0163", "0168", "0169", "0123", "0125", "0128"]
NEW_PREFIXES = ["090", "091", "093", "097", "098", "086", "088", "035", "038", "077"]


def member_rows(count: int, *, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """`count` realistic members: names with every tone, ages 55-104 skewed young, phones and
    CCCDs written the ways old lists write them."""
    rng = random.Random(seed)
    this_year = date.today().year
    for number in range(1, count + 1):
        female = rng.random() < 0.58
        name = " ".join(
            (
                rng.choice(FAMILY),
                rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE),
                rng.choice(GIVEN_FEMALE if female else GIVEN_MALE),
            )
        )
        age = 55 + min(49, int(rng.expovariate(1 / 12)))
        year = this_year - age
        if rng.random() < 0.35:
            birth: object = date(year, rng.randint(1, 12), rng.randint(1, 28))
        else:
            birth = year
        century_sex = (0 if year < 2000 else 2) + (1 if female else 0)
        cccd = f"{rng.choice(PROVINCES)}{century_sex}{year % 100:02d}{rng.randint(0, 999999):06d}"
        roll = rng.random()
        if roll < 0.1:
            phone = f"{rng.choice(OLD_PREFIXES)}{rng.randint(0, 9999999):07d}"
        elif roll < 0.6:
            digits = f"{rng.choice(NEW_PREFIXES)}{rng.randint(0, 9999999):07d}"
            phone = f"{digits[:4]} {digits[4:7]} {digits[7:]}" if roll < 0.35 else digits
        elif roll < 0.7:
            phone = f"+84 {rng.choice(NEW_PREFIXES)[1:]}{rng.randint(0, 9999999):07d}"
        else:
            phone = ""
        yield {
            "number": number,
            "full_name": name,
            "female": female,
            "birth": birth,
            "cccd": cccd if rng.random() < 0.8 else "",
            "phone": phone,
            "hamlet": rng.choice(HAMLETS),
            "ethnicity": rng.choice(ETHNICITIES),
            "joined": min(this_year, year + 60 + rng.randint(0, 10)),
            "card_number": f"HV{number:06d}",
            "note": rng.choice(NOTES),
        }


XLSX_HEADINGS = [
    "STT", "Họ và tên", "Năm sinh", "", "Số CCCD", "Số điện thoại", "Thôn/Tổ", "Dân tộc",
    "Năm vào Hội", "Số thẻ hội viên", "Ghi chú",
]  # fmt: skip


def write_members_xlsx(path: str | PathLike[str], count: int, *, seed: int = 2026, sheets: int = 1) -> Path:
    """The classic form, `count` rows spread over `sheets` sheets ("Chi hội 1", …)."""
    import xlsxwriter

    path = Path(path)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    text = book.add_format({"num_format": "@"})
    rows = member_rows(count, seed=seed)
    per_sheet = -(-count // sheets) if count else 0
    last = len(XLSX_HEADINGS) - 1
    for sheet_number in range(1, sheets + 1):
        sheet = book.add_worksheet(f"Chi hội {sheet_number}")
        sheet.merge_range(0, 0, 0, last, "HỘI NGƯỜI CAO TUỔI XÃ AN PHÚ")
        sheet.merge_range(1, 0, 1, last, f"DANH SÁCH HỘI VIÊN CHI HỘI {sheet_number}")
        for column, heading in enumerate(XLSX_HEADINGS):
            if column == 2:
                sheet.merge_range(3, 2, 3, 3, "Năm sinh")
            elif column != 3:
                sheet.merge_range(3, column, 4, column, heading)
        sheet.write_row(4, 2, ["Nam", "Nữ"])
        sheet.write_row(5, 0, [f"({n})" for n in range(1, len(XLSX_HEADINGS) + 1)])
        row_index = 6
        for _ in range(per_sheet):
            member = next(rows, None)
            if member is None:
                break
            sheet.write_number(row_index, 0, member["number"])
            sheet.write_string(row_index, 1, member["full_name"])
            birth_column = 3 if member["female"] else 2
            if isinstance(member["birth"], date):
                sheet.write_datetime(row_index, birth_column, member["birth"], day)
            else:
                sheet.write_number(row_index, birth_column, member["birth"])
            if member["cccd"]:
                sheet.write_string(row_index, 4, member["cccd"], text)
            if member["phone"]:
                sheet.write_string(row_index, 5, member["phone"])
            sheet.write_string(row_index, 6, member["hamlet"])
            sheet.write_string(row_index, 7, member["ethnicity"])
            sheet.write_number(row_index, 8, member["joined"])
            sheet.write_string(row_index, 9, member["card_number"])
            if member["note"]:
                sheet.write_string(row_index, 10, member["note"])
            row_index += 1
        row_index += 1
        sheet.merge_range(row_index, 0, row_index, last, "An Phú, ngày 05 tháng 12 năm 2024")
        sheet.write_string(row_index + 1, 1, "Người lập biểu")
        sheet.write_string(row_index + 1, 8, "TM. BAN CHẤP HÀNH")
        sheet.write_string(row_index + 4, 8, "Nguyễn Văn Chủ")
    book.close()
    return path


CSV_HEADINGS = [
    "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Thôn/Tổ", "Dân tộc",
    "Ngày vào Hội", "Số thẻ", "Ghi chú",
]  # fmt: skip


def write_members_csv(
    path: str | PathLike[str],
    count: int,
    *,
    seed: int = 2026,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> Path:
    """The flat form as a CSV, streamed to disk."""
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(CSV_HEADINGS)
        for member in member_rows(count, seed=seed):
            birth = member["birth"]
            writer.writerow(
                [
                    member["number"],
                    member["full_name"],
                    birth.strftime("%d/%m/%Y") if isinstance(birth, date) else birth,
                    "Nữ" if member["female"] else "Nam",
                    member["cccd"],
                    member["phone"],
                    member["hamlet"],
                    member["ethnicity"],
                    member["joined"],
                    member["card_number"],
                    member["note"],
                ]
            )
    return path


def peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux the kernel's high-water mark of the process's
    own memory (VmHWM): ru_maxrss of a child started by a benchmark also counts the parent's size
    at the fork (Linux keeps it across exec), so a child of a 280 MB parent never read less."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def measure_parse(path: str | PathLike[str]) -> dict[str, Any]:
    """Parse a file with the import's parsing layer only; rows/s and what it found."""
    from .rows import parse_file

    start = time.perf_counter()
    cpu_start = time.process_time()
    rows = errors = warnings = 0
    for sheet in parse_file(path):
        for row in sheet.rows:
            rows += 1
            for issue in row.issues:
                if issue.severity == "error":
                    errors += 1
                else:
                    warnings += 1
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return {
        "file": Path(path).name,
        "rows": rows,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "rows_per_cpu_s": round(rows / cpu_seconds) if cpu_seconds else None,
        "errors": errors,
        "warnings": warnings,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_read(path: str | PathLike[str]) -> dict[str, Any]:
    """The raw baseline: the reader alone, no parsing (BASELINES.md, "the spreadsheet reader alone")."""
    from .readers import open_spreadsheet

    start = time.perf_counter()
    rows = 0
    with open_spreadsheet(path) as book:
        for sheet in book.sheets():
            for _row in sheet.rows:
                rows += 1
    seconds = time.perf_counter() - start
    return {
        "file": Path(path).name,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
    }
