from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from sohoi.core.text import fold, name_key, name_sort_key, vi_sort_key

ROSTER = [  # given, middle, family: the order a Vietnamese roster lists them in
    ("An", "", "Lê"),
    ("An", "Văn", "Lê"),
    ("Anh", "", "Lê"),
    ("Ăn", "", "Trần"),
    ("Ân", "", "Trần"),
    ("Bình", "", "Vũ"),
    ("Dũng", "", "Hà"),
    ("Đức", "", "Hà"),
    ("Hung", "", "Lý"),
    ("Hùng", "", "Lý"),
    ("Hủng", "", "Lý"),
    ("Hũng", "", "Lý"),
    ("Húng", "", "Lý"),
    ("Hụng", "", "Lý"),
    ("Hùng", "Văn", "Nguyễn"),
    ("Hưng", "Văn", "Nguyễn"),
    ("Ơn", "", "Phan"),
    ("Uyên", "", "Tôn Nữ"),
    ("Ưng", "", "Đỗ"),
]


def test_the_sort_key_orders_a_roster_by_given_name_the_vietnamese_way():
    assert sorted(ROSTER, key=lambda n: name_sort_key(*n)) == ROSTER


def test_the_sort_key_uses_only_letters_every_collation_orders_alike():
    assert all(name_sort_key(*n).isascii() and name_sort_key(*n).isalpha() for n in ROSTER)


@given(st.lists(st.sampled_from(["an", "ăn", "ân", "anh", "đào", "dao", "hùng", "hưng", "hung", "ơn", "ôn"]),
                min_size=1, max_size=3))  # fmt: skip
def test_the_sort_key_agrees_with_the_two_level_python_key(words):
    given_name = " ".join(words)
    other = " ".join(reversed(words))
    by_key = name_sort_key(given_name, "", "") < name_sort_key(other, "", "")
    by_python = vi_sort_key(given_name) < vi_sort_key(other)
    assert by_key == by_python


def test_fold_and_name_key_ignore_unicode_form_and_fold_only_what_they_should():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Hùng  HOÀ")
    assert fold(decomposed) == "nguyen van hung hoa"
    assert name_key(decomposed) == name_key("nguyễn văn hùng hòa")
    assert name_key("Hùng") != name_key("Hưng") and fold("Hùng") == fold("Hưng") == "hung"
    assert fold("Đặng ĐÀO") == "dang dao"
