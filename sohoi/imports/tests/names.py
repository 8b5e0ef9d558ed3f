"""Real Vietnamese names for the encoding tests, chosen so that together they hold every
vowel with every tone (a ă â e ê i o ô ơ u ư y × none, huyền, hỏi, ngã, sắc, nặng) and đ;
their upper-case forms (as lists print them) cover the capitals."""

from __future__ import annotations

NAMES = [
    "Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Văn Tám", "Phạm Thị Hồng Nhung", "Hoàng Văn Thắng",
    "Huỳnh Thị Thuỷ", "Phan Đình Phùng", "Vũ Thị Hằng", "Võ Nguyên Giáp", "Đặng Thị Ngọc Thịnh",
    "Bùi Xuân Phái", "Đỗ Mười", "Hồ Xuân Hương", "Ngô Quyền", "Dương Văn Minh",
    "Lý Thường Kiệt", "Đào Duy Từ", "Đinh Bộ Lĩnh", "Lâm Thị Mỹ Dạ", "Trịnh Công Sơn",
    "Mai Thúc Loan", "Tô Hoài", "Hà Huy Tập", "Lương Thế Vinh", "Tôn Thất Thuyết",
    "Tôn Nữ Thị Ninh", "Âu Dương Lân", "Nguyễn Phúc Ánh", "Trương Vĩnh Ký", "Chu Văn An",
    "Khổng Minh Dụ", "Lò Văn Giàng", "Đèo Văn Long", "Nguyễn Thị Bé", "Lê Thị Đẹp",
    "Trần Văn Lẻ", "Phạm Văn Lẽ", "Lò Văn Khẳng", "Lục Văn Vẵn", "Đoàn Thị Điểm",
    "Nguyễn Thị Diễm", "Vương Đình Huệ", "Trần Quốc Toản", "Bạch Thị Yến", "Cao Bá Quát",
    "Nguyễn Chí Thanh", "Vũ Đình Chỉnh", "Phùng Thị Mỵ", "Nguyễn Sỹ Kỷ", "Võ Thị Nhỏ",
    "Hồ Văn Hóa", "Trần Văn Lời", "Bùi Văn Lớn", "Đặng Văn Sở", "Hoàng Văn Rỡ",
    "Lê Văn Lợi", "Nguyễn Văn Cử", "Lê Văn Hưu", "Trần Nhân Tông", "Nguyễn Hữu Thọ",
    "Trần Đại Nghĩa", "Phan Bội Châu", "Phan Chu Trinh", "Huỳnh Thúc Kháng", "Nguyễn Thái Học",
    "Ngô Gia Tự", "Lê Hồng Phong", "Hà Thị Quế", "Nguyễn Thị Minh Khai", "Võ Thị Sáu",
    "Lê Quý Đôn", "Nguyễn Đình Chiểu", "Nguyễn Khuyến", "Tú Xương", "Nguyễn Thị Định",
    "Mạc Đĩnh Chi", "Chu Văn Tấn", "Hoàng Cầm", "Lưu Quang Vũ", "Nguyễn Tuân",
    "Xuân Diệu", "Huy Cận", "Ông Ích Khiêm", "Trần Thị Sen", "Mã Thị Thu",
    "Nguyễn Thị Cẩm Tú", "Trần Thị Mẫn", "Trần Thị Thu Thủy", "Tôn Đức Thắng", "Phạm Văn Đồng",
    "Trường Chinh", "Lê Duẩn", "Hoàng Hoa Thám", "Trần Hưng Đạo", "Lý Thái Tổ",
    "Lê Lợi", "Nguyễn Trãi", "Triệu Thị Trinh", "Lê Thánh Tông", "Ỷ Lan",
]  # fmt: skip

# Names written with an old tone placement or by other conventions that lists really hold.
EXTRA = ["Nguyễn Thị Hoà", "Lê Thị Thuý", "Trần Văn Quý", "Phạm Thị Khuyên", "Đỗ Thị Ngoãn"]
