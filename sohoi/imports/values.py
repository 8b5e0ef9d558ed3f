"""Forgiving parsers for single cells of a member list.

Each parser takes what calamine or the CSV reader gives (str, float, int, bool, date,
datetime, None) and returns ``(value, problem)``: ``problem`` is None or a ``Problem`` with a
translated Vietnamese message and a severity. An empty cell is ``(None, None)``: whether a
value is required is the caller's decision.

Rules come from DOMAIN.md §6.5 (CCCD), §6.6 (phones) and §8 (names, dates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple

from .text import clean_text, heading_key, smart_case
from .text import tr as _

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

# The oldest birth year the register accepts: nobody alive was born earlier, and earlier
# "years" are typos (1845 for 1945).
MIN_YEAR = 1880


@dataclass(frozen=True, slots=True)
class Problem:
    severity: Severity
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def _error(message: str) -> Problem:
    return Problem(ERROR, message)


def _warning(message: str) -> Problem:
    return Problem(WARNING, message)


def _show(value: object) -> str:
    """A cell value quoted in a message, cut short so a hostile cell cannot flood the page."""
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:39] + "…"


# Cells that say "nothing here": "-", "không", "không có", "chưa có", "không rõ".
_BLANK_WORDS = frozenset({"", "khong", "khong co", "chua co", "chua", "khong ro", "kr", "k", "n a", "na"})


_HAS_DIGIT = re.compile(r"\d").search


def _is_blank_word(text: str) -> bool:
    return not _HAS_DIGIT(text) and heading_key(text) in _BLANK_WORDS


# --- Dates -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the day, to the month ("3/1950") or only to the year ("1950")."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Literal["day", "month", "year"]:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def to_date(self) -> date:
        """The date itself, or the first day of the month or year it stands for."""
        return date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    def __str__(self) -> str:
        if self.day is not None:
            return f"{self.day:02d}/{self.month:02d}/{self.year}"
        if self.month is not None:
            return f"{self.month:02d}/{self.year}"
        return str(self.year)


# Excel's day 0; serials from 61 on are days since 1899-12-30 (Excel counts a 29/02/1900).
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 31/12/9999
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]m)?$", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d+)")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?:T.*)?")
_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d+)")
_DIGITS = re.compile(r"\d+")
_DECIMAL_ZERO = re.compile(r"(\d+)\.0+")
_WORDY_DATE = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d+)")
_WORDY_MONTH = re.compile(r"(?:thang|t)\s*(\d{1,2})\s*(?:nam\s*)?(\d+)")
_WORDY_YEAR = re.compile(r"nam\s*(\d+)")


class _DateParse(NamedTuple):
    """What the text of a date says, before the range checks (cached: years repeat)."""

    year: int | None
    month: int | None
    day: int | None
    code: str | None  # why it could not be read
    swapped: bool = False


@lru_cache(maxsize=32768)
def _read_date_text(text: str) -> _DateParse:
    text = _TIME_SUFFIX.sub("", text.strip())
    if m := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), m[4]
        if len(year) != 4:
            return _DateParse(None, None, None, "two_digit" if len(year) <= 2 else "unreadable")
        if month > 12 and day <= 12:
            # 12/25/1945 can only be month/day/year (US order, as some exports write it).
            return _DateParse(int(year), day, month, None, swapped=True)
        return _DateParse(int(year), month, day, None)
    if m := _YEAR_MONTH_DAY.fullmatch(text):
        return _DateParse(int(m[1]), int(m[3]), int(m[4]), None)
    if m := _MONTH_YEAR.fullmatch(text):
        month, year = int(m[1]), m[2]
        if len(year) != 4:
            return _DateParse(None, None, None, "two_digit" if len(year) <= 2 else "unreadable")
        return _DateParse(int(year), month, None, None)
    if _DIGITS.fullmatch(text) or (m := _DECIMAL_ZERO.fullmatch(text)):
        return _read_date_number(int(m[1] if m else text))
    folded = heading_key(text)
    if m := _WORDY_DATE.fullmatch(folded):
        year = m[3]
        if len(year) != 4:
            return _DateParse(None, None, None, "two_digit" if len(year) <= 2 else "unreadable")
        return _DateParse(int(year), int(m[2]), int(m[1]), None)
    if m := _WORDY_MONTH.fullmatch(folded):
        if len(m[2]) != 4:
            return _DateParse(None, None, None, "two_digit" if len(m[2]) <= 2 else "unreadable")
        return _DateParse(int(m[2]), int(m[1]), None, None)
    if m := _WORDY_YEAR.fullmatch(folded):
        return _read_date_number(int(m[1]))
    return _DateParse(None, None, None, "unreadable")


def _read_date_number(number: int) -> _DateParse:
    """A whole number in a date column: a year up to 2199, an Excel serial date above (a
    serial below 2200 would be a birth in 1900-1906)."""
    if number < 100:
        return _DateParse(None, None, None, "two_digit")
    if number < 1000:
        return _DateParse(None, None, None, "unreadable")
    if number < 2200:
        return _DateParse(number, None, None, None)
    if number > _EXCEL_MAX_SERIAL:
        return _DateParse(None, None, None, "unreadable")
    return _serial_date(number)


def _serial_date(serial: int) -> _DateParse:
    if serial == 60:
        return _DateParse(None, None, None, "impossible_serial")
    day = _EXCEL_EPOCH + timedelta(days=serial if serial > 60 else serial + 1)
    return _DateParse(day.year, day.month, day.day, None)


# Cells already read without a problem -> (date, its first day): birth years and join dates
# repeat thousands of times in a list. Only the future check depends on `today`.
_CLEAN_DATES: dict[object, tuple[PartialDate, date]] = {}
_CLEAN_DATES_MAX = 65536


def parse_date(value: object, *, today: date | None = None) -> tuple[PartialDate | None, Problem | None]:
    """A date cell: "12/03/1945", "12-3-1945", "12.03.1945", "3/1950", "1950", ISO, an Excel
    serial number, or a date/datetime from the reader. Two-digit years are refused (1945 or
    2045?); impossible dates, future dates and years before 1880 are errors."""
    if value is None or value == "":
        return None, None
    today = today or date.today()
    cached = _CLEAN_DATES.get(value) if type(value) in (str, float, int) else None
    if cached is not None and cached[1] <= today:
        return cached[0], None
    if isinstance(value, datetime):
        parsed = _DateParse(value.year, value.month, value.day, None)
    elif isinstance(value, date):
        parsed = _DateParse(value.year, value.month, value.day, None)
    elif isinstance(value, bool):
        return None, _error(_("Không hiểu ngày «%(value)s»") % {"value": _show(value)})
    elif isinstance(value, (int, float)):
        if value != value or value < 0 or value > _EXCEL_MAX_SERIAL:  # NaN, negative, absurd
            parsed = _DateParse(None, None, None, "unreadable")
        elif isinstance(value, float) and not value.is_integer():
            parsed = _serial_date(int(value)) if value >= 1000 else _DateParse(None, None, None, "unreadable")
        else:
            parsed = _read_date_number(int(value))
    elif isinstance(value, str):
        text = value.strip()
        if _is_blank_word(text):
            return None, None
        parsed = _read_date_text(text)
    else:
        return None, _error(_("Không hiểu ngày «%(value)s»") % {"value": _show(value)})

    if parsed.code == "two_digit":
        return None, _error(
            _("Năm chỉ có hai chữ số («%(value)s»): hãy ghi đủ bốn chữ số, ví dụ 1945")
            % {"value": _show(value)}
        )
    if parsed.code == "impossible_serial" or parsed.code is not None or parsed.year is None:
        return None, _error(
            _("Không hiểu ngày «%(value)s»: hãy ghi ngày/tháng/năm, ví dụ 12/03/1945, hoặc chỉ năm")
            % {"value": _show(value)}
        )
    year, month, day = parsed.year, parsed.month, parsed.day
    try:
        if month is not None:
            date(year, month, 1 if day is None else day)
    except ValueError:
        return None, _error(_("Ngày «%(value)s» không có thật") % {"value": _show(value)})
    result = PartialDate(year, month, day)
    if year < MIN_YEAR:
        return None, _error(_("Năm %(year)s quá xa (trước năm %(min)s)") % {"year": year, "min": MIN_YEAR})
    if result.to_date() > today:
        return None, _error(_("Ngày «%(value)s» ở tương lai") % {"value": _show(value)})
    if not parsed.swapped:
        if len(_CLEAN_DATES) >= _CLEAN_DATES_MAX:
            _CLEAN_DATES.clear()
        if isinstance(value, (str, int, float)):
            _CLEAN_DATES[value] = (result, result.to_date())
        return result, None
    return result, _warning(
        _("Đã hiểu «%(value)s» là tháng/ngày/năm, tức ngày %(date)s")
        % {"value": _show(value), "date": result}
    )


# --- Phone numbers -----------------------------------------------------------------------------


class Phone(NamedTuple):
    e164: str  # "+84912345678"
    display: str  # "0912 345 678"


# DOMAIN.md §6.6: 11-digit mobile prefixes replaced in 2018-2019, the last 7 digits kept.
OLD_MOBILE_PREFIXES: dict[str, str] = {
    # Viettel
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
    "0168": "038", "0169": "039",
    # MobiFone
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    # VinaPhone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    # Vietnamobile
    "0186": "056", "0188": "058",
    # Gmobile
    "0199": "059",
}  # fmt: skip
_PHONE_SEPARATORS = str.maketrans("", "", " .-()\u00a0\t_")
_PHONE_SPLIT = re.compile(r"\s*(?:[/;,\n|&]|\s[-–]\s|\bhoặc\b|\bhoac\b|\bvà\b|\bva\b)\s*", re.IGNORECASE)
# Words around a number: "ĐT: 0912…", "0912… (con trai)". Only digits, + and separators count.
_PHONE_NOISE = re.compile(r"[^\d+ .\-()\u00a0\t_/;,\n|&]+")


def parse_phone(value: object) -> tuple[Phone | None, Problem | None]:
    """A phone cell to E.164 plus display form. Accepts spaces, dots and dashes, +84 / 84,
    a leading 0 that Excel dropped, the old 11-digit mobile prefixes (converted, with a
    warning), landlines (0 + 2xx…, 11 digits) and words around the number."""
    if value is None or value == "":
        return None, None
    if type(value) is str or type(value) is float:
        # Fast path: a plain mobile number (0912…, +84 912…, 84912…, or 912… without its 0).
        digits = value.translate(_PHONE_SEPARATORS) if type(value) is str else _float_digits(value)
        if digits[:3] == "+84":
            digits = "0" + digits[3:]
        elif len(digits) == 11 and digits[:2] == "84":
            digits = "0" + digits[2:]
        elif len(digits) == 9:
            digits = "0" + digits
        if (
            len(digits) == 10
            and digits[0] == "0"
            and digits[1] in "35789"
            and digits.isdigit()
            and digits.isascii()
        ):
            return Phone("+84" + digits[1:], f"{digits[:4]} {digits[4:7]} {digits[7:]}"), None
    if isinstance(value, bool):
        text = ""
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() and value > 0 else ""
    else:
        text = str(value).strip()
        if _is_blank_word(text):
            return None, None
    if text:
        phone, changed = _read_phone(_PHONE_NOISE.sub(" ", text))
        if phone is not None:
            return phone, changed
        parts = [part for part in _PHONE_SPLIT.split(text) if any(c.isdigit() for c in part)]
        if len(parts) > 1:
            phone, changed = _read_phone(_PHONE_NOISE.sub(" ", parts[0]))
            if phone is not None:
                return phone, changed or _warning(
                    _("Ô có nhiều số điện thoại; chỉ lấy số đầu tiên (%(value)s)") % {"value": phone.display}
                )
    return None, _error(_("Số điện thoại «%(value)s» không hợp lệ") % {"value": _show(value)})


def _float_digits(value: float) -> str:
    return str(int(value)) if value.is_integer() and 0 < value < 1e15 else ""


def _read_phone(text: str) -> tuple[Phone | None, Problem | None]:
    digits = text.translate(_PHONE_SEPARATORS)
    international = digits.startswith("+")
    if international:
        digits = digits[1:]
    elif digits.startswith("0084"):
        digits, international = digits[2:], True
    if not digits.isdigit() or not digits.isascii():
        return None, None
    if digits.startswith("84") and (international or len(digits) in (11, 12)):
        digits = digits[2:]
        if not digits.startswith("0"):
            digits = "0" + digits
    elif international:
        return None, None  # not a Vietnamese number
    elif not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits  # Excel keeps numbers, not their leading zero
    national, changed = _national_number(digits)
    if national is None:
        return None, None
    problem = None
    if changed:
        problem = _warning(
            _("Đã đổi số cũ %(old)s sang số mới %(new)s") % {"old": digits, "new": _display(national)}
        )
    return Phone("+84" + national[1:], _display(national)), problem


def _national_number(digits: str) -> tuple[str | None, bool]:
    """(national number with its leading 0, whether an old number was converted)."""
    if len(digits) == 10 and digits[1] in "35789":
        return digits, False
    if len(digits) == 11 and digits.startswith("01"):
        new_prefix = OLD_MOBILE_PREFIXES.get(digits[:4])
        return (new_prefix + digits[4:], True) if new_prefix else (None, False)
    if len(digits) == 11 and digits.startswith("02"):
        return digits, False
    if len(digits) == 10 and digits.startswith("04"):
        return "024" + digits[2:], True  # Hà Nội's area code 04 became 024 in 2017
    return None, False


def _display(national: str) -> str:
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    if national[:3] in ("024", "028"):  # the two 3-digit area codes, 8-digit subscribers
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    return f"{national[:4]} {national[4:7]} {national[7:]}"


# --- Citizen ID (CCCD) / old ID card (CMND) ------------------------------------------------------

# Thông tư 07/2016/TT-BCA: the code of the province where the birth was registered, the first
# three digits of a CCCD (DOMAIN.md §6.5). The pre-2025 list of 63; never infer a current
# province from it.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip


class CitizenId(NamedTuple):
    number: str
    id_type: Literal["cccd", "cmnd"]


_ID_SEPARATORS = str.maketrans("", "", " .-\u00a0\t'")
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?e\+?\d+", re.IGNORECASE)


def parse_cccd(value: object) -> tuple[CitizenId | None, Problem | None]:
    """A citizen ID cell: 12-digit CCCD with a known province code, or a 9-digit old CMND.

    A number that lost its leading zero(s) in Excel (11 or 10 digits, or a float) is restored
    only when the restored first three digits are a real province code.
    """
    if value is None or value == "":
        return None, None
    if (
        type(value) is str
        and len(value) == 12
        and value.isdigit()
        and value.isascii()
        and value[:3] in PROVINCE_CODES
    ):
        return CitizenId(value, "cccd"), None  # the common, well-formed cell
    if isinstance(value, bool):
        return None, _error(_("Số CCCD «%(value)s» không hợp lệ") % {"value": _show(value)})
    if isinstance(value, float):
        if not value.is_integer() or value <= 0:
            return None, _error(_("Số CCCD «%(value)s» không hợp lệ") % {"value": _show(value)})
        digits = str(int(value))
    else:
        text = str(value).strip()
        if _is_blank_word(text):
            return None, None
        if _SCIENTIFIC.fullmatch(text):
            return None, _error(
                _("Số CCCD «%(value)s» đã bị Excel làm tròn: hãy định dạng cột là Văn bản (Text) rồi gõ lại")
                % {"value": _show(text)}
            )
        digits = text.translate(_ID_SEPARATORS)
    if not digits.isdigit() or not digits.isascii():
        return None, _error(_("Số CCCD «%(value)s» chỉ được có chữ số") % {"value": _show(value)})
    if len(digits) == 12:
        if digits[:3] not in PROVINCE_CODES:
            return None, _error(
                _("Số CCCD «%(value)s» có mã tỉnh %(code)s không tồn tại")
                % {"value": digits, "code": digits[:3]}
            )
        return CitizenId(digits, "cccd"), None
    if len(digits) in (10, 11):
        restored = digits.zfill(12)
        if restored[:3] in PROVINCE_CODES:
            return CitizenId(restored, "cccd"), None
        return None, _error(
            _(
                "Số CCCD «%(value)s» có %(count)s chữ số: thiếu số, hoặc Excel đã xoá số 0 ở đầu mà không thể khôi phục chắc chắn"
            )
            % {"value": digits, "count": len(digits)}
        )
    if len(digits) == 9:
        return CitizenId(digits, "cmnd"), None
    if len(digits) == 8:
        return CitizenId("0" + digits, "cmnd"), _warning(
            _("Số CMND «%(value)s» có 8 chữ số: đã thêm số 0 bị mất ở đầu (%(restored)s)")
            % {"value": digits, "restored": "0" + digits}
        )
    return None, _error(
        _("Số CCCD «%(value)s» phải có 12 chữ số (hoặc 9 chữ số nếu là CMND cũ)") % {"value": _show(value)}
    )


def cccd_consistency(number: str, gender: str | None, birth_year: int | None) -> Problem | None:
    """A warning when the CCCD's century/sex digit or its two year digits disagree with the
    recorded sex or birth year (DOMAIN.md §6.5: legacy data has errors, so never a block)."""
    if len(number) != 12 or not number.isdigit():
        return None
    code = int(number[3])
    cccd_year = 1900 + 100 * (code // 2) + int(number[4:6])
    cccd_gender = "male" if code % 2 == 0 else "female"
    disagreements = []
    if gender in ("male", "female") and gender != cccd_gender:
        disagreements.append(
            _("giới tính %(cccd)s, khác với giới tính đã ghi (%(given)s)")
            % {"cccd": gender_label(cccd_gender), "given": gender_label(gender)}
        )
    if birth_year is not None and birth_year != cccd_year:
        disagreements.append(
            _("năm sinh %(cccd)s, khác với năm sinh đã ghi (%(given)s)")
            % {"cccd": cccd_year, "given": birth_year}
        )
    if not disagreements:
        return None
    return _warning(_("Số CCCD cho biết %(facts)s") % {"facts": "; ".join(disagreements)})


# --- Gender --------------------------------------------------------------------------------------

_GENDER_WORDS = {
    "nam": "male", "m": "male", "male": "male", "trai": "male", "ong": "male", "1": "male",
    "nu": "female", "f": "female", "female": "female", "gai": "female", "ba": "female",
    "0": "female", "2": "female",
}  # fmt: skip
# "x" ticked in a Nam or Nữ column; √ and ✓ are what the Symbol font gives.
_MARKS = frozenset({"x", "v", "1", "co", "+", "√", "✓", "✔", "☑", "*"})


_GENDER_CELLS: dict[object, str] = {}  # cells already read: "Nam", "Nữ", "NỮ" …


def gender_label(gender: str) -> str:
    return _("Nam") if gender == "male" else _("Nữ")


def parse_gender(value: object) -> tuple[str | None, Problem | None]:
    """A "Giới tính" cell: Nam/Nữ in any case, with or without accents, M/F, 1 (Nam) / 0 or 2
    (Nữ) -> "male" | "female"."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    gender = _GENDER_CELLS.get(value)  # type: ignore[call-overload]
    if gender is not None:
        return gender, None
    text = str(value).strip()
    if not text:
        return None, None
    gender = _GENDER_WORDS.get(heading_key(text)) if "ă" not in text.lower() else None  # "Năm" is no "Nam"
    if gender is not None and type(value) is str and len(_GENDER_CELLS) < 1024:
        _GENDER_CELLS[value] = gender
    if gender is None:
        return None, _error(
            _("Không hiểu giới tính «%(value)s»: hãy ghi Nam hoặc Nữ") % {"value": _show(value)}
        )
    return gender, None


def is_mark(value: object) -> bool:
    """Whether a cell of a Nam or Nữ column is ticked (x, X, √, 1 …)."""
    if value is None or value == "" or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, (int, float)):
        return value == 1
    if not isinstance(value, str) or len(value) > 5:
        return False  # a date, a year: not a tick
    text = value.strip()
    return text.lower() in _MARKS or heading_key(text) in _MARKS


# --- Names --------------------------------------------------------------------------------------

# DOMAIN.md §8: family names of two words. The given name is the last word; what lies
# between the family name and the given name is the middle name.
COMPOUND_FAMILY_NAMES = (
    "Tôn Thất", "Tôn Nữ", "Hoàng Phủ", "Công Tôn", "Âu Dương", "Nguyễn Phúc", "Nguyễn Phước",
    "Tư Mã", "Gia Cát", "Thượng Quan", "Đông Phương", "Công Nghi", "Tôn Thất Nữ",
)  # fmt: skip
# First word -> the compounds it starts, longest first ("Tôn Thất Nữ" before "Tôn Thất").
_COMPOUND_BY_FIRST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _name in sorted(COMPOUND_FAMILY_NAMES, key=lambda name: -len(name.split())):
    _key = tuple(_name.lower().split())
    _COMPOUND_BY_FIRST_WORD.setdefault(_key[0], []).append(_key)
_HONORIFIC_WORDS = frozenset({"cụ", "cu"})
_HAS_LETTER = re.compile(r"[^\W\d_]").search
MAX_NAME_LENGTH = 150


# Cells already read without a problem: the same names come back many times in a list.
_CLEAN_NAMES: dict[str, PersonName] = {}
_CLEAN_NAMES_MAX = 65536


class PersonName(NamedTuple):
    full: str
    family: str
    middle: str
    given: str


def clean_name(full: str) -> str:
    """A name as stored: NFC, single spaces, ALL-CAPS or all-lower title-cased."""
    return smart_case(clean_text(full).strip(" .,;:-_*"))


def split_vietnamese_name(full: str) -> tuple[str, str, str]:
    """(family, middle, given) of a Vietnamese full name: given = the last word, family = the
    first word or a known compound ("Tôn Thất Thuyết" -> ("Tôn Thất", "", "Thuyết"))."""
    return _split_words(clean_name(full).split(" "))


def _split_words(words: list[str]) -> tuple[str, str, str]:
    if not words or words == [""]:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    family_length = 1
    candidates = _COMPOUND_BY_FIRST_WORD.get(words[0].lower()) if len(words) > 2 else None
    if candidates:
        lowered = tuple(word.lower() for word in words[:3])
        for key in candidates:
            if len(words) > len(key) and lowered[: len(key)] == key:
                family_length = len(key)
                break
    return " ".join(words[:family_length]), " ".join(words[family_length:-1]), words[-1]


def parse_name(value: object) -> tuple[PersonName | None, Problem | None]:
    """A "Họ và tên" cell -> the cleaned full name and its parts."""
    if value is None:
        return None, None
    cached = _CLEAN_NAMES.get(value) if type(value) is str else None
    if cached is not None:
        return cached, None
    text = clean_name(value if isinstance(value, str) else str(value))
    if not text:
        return None, None
    if len(text) > MAX_NAME_LENGTH:
        return None, _error(_("Họ tên dài quá %(max)s ký tự") % {"max": MAX_NAME_LENGTH})
    words = text.split(" ")
    problem = None
    if words[0].lower() in _HONORIFIC_WORDS and len(words) > 2:
        # "Cụ Nguyễn Văn An", "Cụ bà Trần Thị Bé": a title, not a family name.
        title_length = 2 if words[1].lower() in ("ông", "bà") and len(words) > 3 else 1
        problem = _warning(
            _("Đã bỏ danh xưng «%(title)s» trước họ tên") % {"title": " ".join(words[:title_length])}
        )
        words = words[title_length:]
        text = " ".join(words)
    if not _HAS_LETTER(text):
        return None, _error(_("«%(value)s» không phải họ tên") % {"value": _show(text)})
    if _HAS_DIGIT(text):
        problem = _warning(_("Họ tên có chữ số: «%(value)s»") % {"value": _show(text)})
    family, middle, given = _split_words(words)
    if not family and problem is None:
        problem = _warning(_("Họ tên chỉ có một chữ: «%(value)s»") % {"value": _show(text)})
    name = PersonName(text, family, middle, given)
    if problem is None and type(value) is str:
        if len(_CLEAN_NAMES) >= _CLEAN_NAMES_MAX:
            _CLEAN_NAMES.clear()
        _CLEAN_NAMES[value] = name
    return name, problem
