from __future__ import annotations

import unicodedata

import pytest

from sohoi.imports.errors import HeaderError, MappingError
from sohoi.imports.headers import BIRTH_BY_GENDER, FEMALE, MALE, find_header, map_heading

from .builders import encode_tcvn3, encode_vni


@pytest.mark.parametrize(
    "heading, field",
    [
        ("Họ và tên", "full_name"), ("Họ tên", "full_name"), ("Họ, tên", "full_name"), ("Ho va ten", "full_name"),
        ("HỌ VÀ TÊN", "full_name"), ("  Họ  và\ntên ", "full_name"), ("Họ và tên hội viên", "full_name"),
        ("Họ và tên (chữ in hoa)", "full_name"), (unicodedata.normalize("NFD", "Họ và tên"), "full_name"),
        ("Năm sinh", "birth"), ("Ngày sinh", "birth"), ("Ngày, tháng, năm sinh", "birth"),
        ("Ngày tháng năm sinh", "birth"), ("Sinh ngày", "birth"), ("Năm sinh (dd/mm/yyyy)", "birth"),
        ("Giới tính", "gender"), ("Giới", "gender"), ("Nam/Nữ", "gender"),
        ("Số CCCD", "cccd"), ("CCCD", "cccd"), ("Số CMND/CCCD", "cccd"), ("Căn cước", "cccd"),
        ("Số căn cước công dân", "cccd"), ("CMND", "cccd"), ("Số định danh cá nhân", "cccd"),
        ("Địa chỉ", "address"), ("Nơi ở", "address"), ("Nơi ở hiện nay", "address"), ("Địa chỉ thường trú", "address"),
        ("Thôn/Tổ", "hamlet"), ("Thôn", "hamlet"), ("Tổ", "hamlet"), ("Xóm", "hamlet"), ("Ấp", "hamlet"),
        ("Tổ dân phố", "hamlet"), ("Khu phố", "hamlet"),
        ("Số điện thoại", "phone"), ("SĐT", "phone"), ("Điện thoại", "phone"), ("ĐT", "phone"),
        ("Số ĐT", "phone"), ("Điện thoại liên hệ", "phone"),
        ("Dân tộc", "ethnicity"),
        ("Ngày vào Hội", "joined"), ("Ngày kết nạp", "joined"), ("Năm vào Hội", "joined"),
        ("Ngày vào hội NCT", "joined"), ("Năm kết nạp", "joined"), ("Vào Hội năm", "joined"),
        ("Số thẻ", "card_number"), ("Số thẻ hội viên", "card_number"), ("Thẻ HV số", "card_number"),
        ("Ngày cấp thẻ", "card_issued"),
        ("Mã hội viên", "member_number"), ("Mã HV", "member_number"), ("Mã số hội viên", "member_number"),
        ("Ghi chú", "note"), ("STT", "row_number"), ("TT", "row_number"), ("Số TT", "row_number"),
        ("Số thứ tự", "row_number"),
        ("Chi hội", "branch"), ("Tổ hội", "branch"), ("Tuổi", "age"),
        ("Nam", MALE), ("Nữ", FEMALE), ("NỮ", FEMALE), ("Năm sinh Nam", MALE), ("Năm sinh nữ", FEMALE),
    ],
)  # fmt: skip
def test_headings_map_whatever_their_spelling(heading, field):
    assert map_heading(heading) == field


@pytest.mark.parametrize(
    "heading",
    ["Năm", "Ngày cấp", "Nơi cấp", "Quê quán", "Nghề nghiệp", "DANH SÁCH HỘI VIÊN", "", "Đảng viên"],
)
def test_unknown_headings_map_to_nothing(heading):
    assert map_heading(heading) is None


@pytest.mark.parametrize("encode", [encode_tcvn3, encode_vni])
def test_legacy_encoded_headings_map_too(encode):
    assert map_heading(encode("Họ và tên")) == "full_name"
    assert map_heading(encode("Năm sinh")) == "birth"
    assert map_heading(encode("Giới tính")) == "gender"
    assert map_heading(encode("Thôn")) == "hamlet"
    assert map_heading(encode("Năm")) is None


TITLE_ROWS = [
    ["HỘI NGƯỜI CAO TUỔI XÃ AN PHÚ", "", "", "", ""],
    ["DANH SÁCH HỘI VIÊN NĂM 2024", "", "", "", ""],
    ["", "", "", "", ""],
]


def test_the_header_row_is_found_below_title_rows():
    rows = [
        *TITLE_ROWS,
        ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Số CCCD"],
        [1.0, "Nguyễn Văn Hùng", 1945.0, "Nam", "001045012345"],
    ]
    mapping = find_header(rows)
    assert mapping.header_row == 3
    assert mapping.data_start == 4
    assert mapping.columns == {"row_number": 0, "full_name": 1, "birth": 2, "gender": 3, "cccd": 4}
    assert mapping.birth_by_gender is None
    assert mapping.confidence == 1.0
    assert mapping.unmapped == []
    assert mapping.heading(1) == "Họ và tên"


def test_the_classic_two_row_header_with_nam_and_nu_under_a_merged_birth_heading():
    rows = [
        *TITLE_ROWS,
        ["STT", "Họ và tên", "Năm sinh", "", "Địa chỉ", "Ghi chú"],
        ["", "", "Nam", "Nữ", "", ""],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        [1.0, "Nguyễn Văn Hùng", 1945.0, "", "Thôn Đông", ""],
    ]
    mapping = find_header(rows)
    assert mapping.header_row == 3
    assert mapping.data_start == 6  # both header rows and the row of column numbers
    assert mapping.birth_by_gender == (2, 3)
    assert "birth" not in mapping.columns
    assert mapping.columns == {"row_number": 0, "full_name": 1, "address": 4, "note": 5}
    assert mapping.heading(2) == "Năm sinh / Nam"
    assert mapping.heading(3) == "Năm sinh / Nữ"
    assert mapping.as_dict()[BIRTH_BY_GENDER] == (2, 3)


def test_a_gender_heading_over_tick_columns_is_read_as_the_pair():
    rows = [
        ["TT", "Họ tên", "Giới tính", "", "Năm sinh"],
        ["", "", "Nam", "Nữ", ""],
        [1.0, "Trần Thị Lan", "", "x", 1950.0],
    ]
    mapping = find_header(rows)
    assert mapping.birth_by_gender == (2, 3)
    assert mapping.columns["birth"] == 4
    assert mapping.data_start == 2


def test_a_single_row_with_nam_and_nu_columns_is_read_as_the_pair():
    mapping = find_header([["STT", "Họ và tên", "Nam", "Nữ"], [1.0, "A", 1945.0, ""]])
    assert mapping.birth_by_gender == (1 + 1, 3)
    assert mapping.data_start == 1


def test_a_data_row_with_nam_under_the_header_is_not_a_sub_header():
    rows = [["STT", "Họ và tên", "Giới tính", "Năm sinh"], [1.0, "Nguyễn Văn Hùng", "Nam", 1945.0]]
    mapping = find_header(rows)
    assert mapping.data_start == 1
    assert mapping.columns["gender"] == 2
    assert mapping.birth_by_gender is None


def test_sub_headings_under_a_merged_group_heading_are_used():
    rows = [
        ["STT", "Họ và tên", "Địa chỉ", "", "Điện thoại"],
        ["", "", "Thôn/Tổ", "Xã", ""],
        [1.0, "Nguyễn Văn Hùng", "Tổ 1", "An Phú", "0912345678"],
    ]
    mapping = find_header(rows)
    assert mapping.columns == {"row_number": 0, "full_name": 1, "hamlet": 2, "phone": 4}
    assert mapping.unmapped == [(3, "Địa chỉ / Xã")]
    assert mapping.confidence == 0.8


def test_the_row_that_maps_the_most_headings_wins():
    rows = [
        ["Họ và tên: ……", "", ""],  # a form field in the title block
        ["TT", "Họ và tên", "Năm sinh"],
        [1.0, "A", 1950.0],
    ]
    assert find_header(rows).header_row == 1


def test_legacy_encoded_header_rows_are_found():
    rows = [[encode_tcvn3(text) for text in ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Thôn"]]]
    mapping = find_header(rows)
    assert mapping.columns == {"row_number": 0, "full_name": 1, "birth": 2, "gender": 3, "hamlet": 4}


def test_unmapped_columns_are_listed_and_duplicates_keep_the_first():
    rows = [["STT", "Họ và tên", "Quê quán", "Địa chỉ", "Nơi ở", "Nghề nghiệp"]]
    mapping = find_header(rows)
    assert mapping.columns["address"] == 3
    assert mapping.unmapped == [(2, "Quê quán"), (4, "Nơi ở"), (5, "Nghề nghiệp")]


def test_only_the_first_thirty_rows_are_searched():
    rows = [["Lời nói đầu"]] * 30 + [["Họ và tên", "Năm sinh"]]
    with pytest.raises(HeaderError):
        find_header(rows)
    assert find_header(rows, search_rows=31).header_row == 30


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [["BÁO CÁO TỔNG KẾT NĂM 2024"], ["Nội dung", "Số lượng"], ["Hội viên", 120.0]],
        [["STT", "Năm sinh", "Giới tính", "Địa chỉ"], [1.0, 1945.0, "Nam", "Thôn Đông"]],
    ],
)
def test_a_sheet_without_a_name_column_is_not_a_member_list(rows):
    with pytest.raises(HeaderError) as caught:
        find_header(rows)
    assert caught.value.message == "Không thấy cột Họ và tên: tệp này có vẻ không phải danh sách hội viên"
    assert caught.value.code == "not_a_member_list"


def _mapping():
    return find_header([["STT", "Họ và tên", "Năm sinh", "Ghi chú", "Liên hệ"]])


def test_the_user_can_change_the_mapping():
    mapping = _mapping()
    assert "phone" not in mapping.columns
    changed = mapping.override({"phone": 4, "note": None})
    assert changed.columns["phone"] == 4
    assert "note" not in changed.columns
    assert changed.unmapped == [(3, "Ghi chú")]
    assert mapping.columns["note"] == 3  # the original is unchanged


def test_the_user_can_set_the_nam_nu_pair():
    changed = _mapping().override({"birth": None, BIRTH_BY_GENDER: (2, 3), "note": None})
    assert changed.birth_by_gender == (2, 3)
    assert changed.override({BIRTH_BY_GENDER: None}).birth_by_gender is None


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"phone": 1}, "được chọn cho cả"),
        ({"phone": 9}, "Không có cột"),
        ({"phone": -1}, "Không có cột"),
        ({"phone": "E"}, "không hợp lệ"),
        ({"full_name": None}, "Họ và tên"),
        ({"password": 2}, "Không có trường"),
        ({BIRTH_BY_GENDER: 2}, "một cặp cột"),
        ({BIRTH_BY_GENDER: (2, 1)}, "được chọn cho cả"),
    ],
)
def test_a_bad_mapping_is_refused_with_a_clear_message(changes, words):
    with pytest.raises(MappingError) as caught:
        _mapping().override(changes)
    assert words in caught.value.message


def test_column_letters_follow_the_sheet_not_the_row_list():
    mapping = find_header([["Họ và tên", "Năm sinh"]], first_column=2)
    assert mapping.letter(0) == "C"
    assert mapping.letter(1) == "D"
    assert find_header([["Họ và tên"] + [""] * 26 + ["Năm sinh"]]).letter(27) == "AB"
