"""Everything the demo derives from its seed: public codes, passwords and plausible names.

Codes and passwords are a hash of (seed, a stable key) rather than draws from one random
stream, so they stay the same when a builder adds a unit elsewhere, and ``--print-logins`` can
recompute a password from the seed alone. Names are drawn from ``random.Random(seed)`` in
build order, which is fixed.
"""

from __future__ import annotations

import hashlib
import random

from sohoi.core.models import _CODE_ALPHABET

DEFAULT_SEED = 1995  # the year Hội NCT Việt Nam was founded (DOMAIN.md §1.1)
CODE_LENGTH = 10

# ASCII words, so an elderly user can type the password on any keyboard without Telex.
_PASSWORD_WORDS = [
    "Sen", "Lua", "Tre", "Que", "Cau", "Dinh", "Song", "Nui", "Dong", "Mai", "Dao", "Cuc", "Lan",
    "Hong", "Trong", "Nhan", "Vai", "Chuoi", "Mit", "Bang", "Gao", "Che", "Tram", "Thong",
]  # fmt: skip

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
GIVEN_NAMES = [
    "Văn Hùng", "Văn Quyết", "Đức Thắng", "Minh Đức", "Quang Huy", "Văn Bình", "Xuân Trường", "Văn Tuấn",
    "Thị Lan", "Thị Hoa", "Thị Mai", "Thị Hương", "Thu Hà", "Thị Nga", "Minh Nguyệt", "Thị Thu",
]  # fmt: skip

# Village names of the Bắc Giang / Bắc Ninh kind; sampled without replacement so two chi hội of
# communes that later merge never share a name.
VILLAGE_NAMES = [
    "Đồng Sen", "Đông Tiến", "Tân Lập", "Hòa Bình", "Thống Nhất", "Quyết Tiến", "Đồng Tâm", "Phú Thịnh",
    "An Lạc", "Hạ Lát", "Cầu Đồng", "Trung", "Thượng", "Đồng Quan", "Tiền Phong", "Đồng Bài", "Ninh Sơn",
    "Dĩnh Sơn", "Mỹ Cầu", "Bãi Ban", "Yên Mỹ", "Phúc Mãn", "Lãn Tranh", "Đông Lao", "Giữa", "Đoài",
    "Liên Sơn", "Tân Sơn", "Hương Mãn", "Đào Xá", "Quế Sơn", "Phố Tráng", "Ba Tổng", "Cao Lôi",
    "Lạc Thịnh", "Đồng Lạc", "Bình An", "Minh Khai", "Hợp Thịnh", "Xuân Lạn", "Khuôn Thần", "Cổ Mân",
    "Phù Lão", "Thanh Lâm", "Tam Sơn", "Làng Chùa", "Hậu", "Nội", "Tiền", "Đình Cả", "Trại Mới",
    "Ngọc Lâm", "Kim Sơn", "Vĩnh Thịnh", "Lam Cốt", "Phúc Lâm", "Ngò", "Dương Sơn", "Chằm", "Núi",
]  # fmt: skip


def _digest(seed: int, key: str) -> bytes:
    return hashlib.blake2b(f"sohoi-demo:{seed}:{key}".encode(), digest_size=32).digest()


def seeded_code(seed: int, key: str) -> str:
    """A public code in the alphabet of ``core.models.new_code``, fixed by (seed, key)."""
    return "".join(_CODE_ALPHABET[byte % len(_CODE_ALPHABET)] for byte in _digest(seed, key)[:CODE_LENGTH])


def password_for(seed: int, username: str) -> str:
    """A demo password such as ``Sen-que-4821-nui``: passes Django's validators, easy to type."""
    digest = _digest(seed, f"password:{username}")
    words = [_PASSWORD_WORDS[b % len(_PASSWORD_WORDS)] for b in digest[:3]]
    number = int.from_bytes(digest[3:5], "big") % 9000 + 1000
    return f"{words[0]}-{words[1].lower()}-{number}-{words[2].lower()}"


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"


def lower_first(text: str) -> str:
    """'Thị trấn Vôi' → 'thị trấn Vôi', to follow a prefix: 'Hội NCT thị trấn Vôi'."""
    return text[:1].lower() + text[1:]
