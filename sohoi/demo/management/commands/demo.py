"""``sohoi demo``: build the demonstration data, deterministically from ``--seed``.

It runs only on a database without units. There is no ``--force``: the demo's logins have
passwords anyone can recompute from the seed and its root units take the real national
names, so demo data must never be mixed into a real register. Start from an empty database.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoi.core.errors import DomainError
from sohoi.demo.areas import ensure_areas
from sohoi.demo.build import build_demo, check_members_supported, save_seed, stored_seed
from sohoi.demo.members import DEFAULT_MEMBERS
from sohoi.demo.seeding import DEFAULT_SEED
from sohoi.demo.users import logins_table
from sohoi.orgunits.models import OrgUnit


class Command(BaseCommand):
    help = gettext_lazy(
        "Dựng dữ liệu mẫu (Hội NCT Bắc Giang – Bắc Ninh qua sáp nhập 1/7/2025, Hải Phòng, phường Chánh Lộ "
        "và các tài khoản mẫu). Chỉ chạy trên cơ sở dữ liệu chưa có đơn vị nào."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=None,
                            help=gettext_lazy("Hạt giống: cùng hạt giống cho cùng mã, tên và mật khẩu (mặc định %d).")
                            % DEFAULT_SEED)  # fmt: skip
        parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS, metavar="N",
                            help=gettext_lazy("Số hội viên mẫu (mặc định %d; 0 để không tạo).")
                            % DEFAULT_MEMBERS)  # fmt: skip
        parser.add_argument("--if-empty", action="store_true",
                            help=gettext_lazy("Không làm gì nếu đã có đơn vị (dùng trong make run)."))  # fmt: skip
        parser.add_argument("--print-logins", action="store_true",
                            help=gettext_lazy("In bảng tài khoản mẫu và mật khẩu (cả khi dữ liệu mẫu đã có)."))  # fmt: skip

    def handle(
        self, *args: Any, seed: int | None, members: int, if_empty: bool, print_logins: bool, **options: Any
    ) -> None:
        # Operator command: "is the database empty" is a question about all units, no scope.
        has_units = OrgUnit.unscoped.exists()
        if has_units:
            if if_empty:
                self.stdout.write(_("Đã có dữ liệu đơn vị: bỏ qua, không tạo dữ liệu mẫu."))
            elif not print_logins:
                raise CommandError(
                    _(
                        "Cơ sở dữ liệu đã có đơn vị, nên không tạo dữ liệu mẫu (dữ liệu mẫu không được trộn vào "
                        "sổ thật). Dùng --if-empty để bỏ qua, --print-logins để xem tài khoản mẫu, hoặc dùng "
                        "một cơ sở dữ liệu trống."
                    )
                )
            if print_logins:
                self.stdout.write(logins_table(seed if seed is not None else stored_seed() or DEFAULT_SEED))
            return

        seed = DEFAULT_SEED if seed is None else seed
        try:
            check_members_supported(members)
            if ensure_areas():
                self.stdout.write(_("Đã nạp danh mục địa bàn hành chính."))
            build = build_demo(seed=seed, members=members)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        save_seed(seed)
        self.stdout.write(
            _(
                "Đã tạo dữ liệu mẫu (hạt giống %(seed)d): %(units)d đơn vị, %(users)d tài khoản, %(members)d hội viên."
            )
            % {"seed": seed, "units": len(build.units), "users": len(build.users), "members": members}
        )
        if print_logins:
            self.stdout.write(logins_table(seed))
        else:
            self.stdout.write(_("Xem tài khoản mẫu: sohoi demo --print-logins"))
