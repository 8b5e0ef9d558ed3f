"""API v1 of SổHội, mounted at /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json, docs at
/api/v1/docs, served from ninja's own static files, no CDN).

``OPERATIONS`` lists every operation as ``{method, path, permission, unit_scoped, name}``; the
permission is a unit permission for routes under ``/u/{unit_code}/`` and None (any signed-in
user) elsewhere. The permission-matrix test walks it.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from ..auth import session_auth, token_auth
from ..errors import install_exception_handlers
from ..permissions import OPERATIONS
from . import catalogue, me, members, reports, units

DESCRIPTION = """
API của SổHội. Mọi thao tác cần đăng nhập: gửi mã truy cập cá nhân trong tiêu đề
`Authorization: Bearer <mã>`, hoặc dùng phiên đăng nhập của trình duyệt (khi đó các thao tác
thay đổi dữ liệu cần tiêu đề `X-CSRFToken`).

**Đơn vị.** Các thao tác trên một đơn vị nằm dưới `/api/v1/u/{unit_code}/`. Đơn vị không tồn tại
và đơn vị bạn không có quyền xem đều trả về 404; thiếu quyền của thao tác (ghi ở `x-permission`)
trả về 403.

**Lỗi.** Mọi lỗi có dạng `{"code": "...", "message": "...", "extra": {...}}`: `code` ổn định cho
máy đọc, `message` bằng tiếng Việt, `extra.field` chỉ trường dữ liệu gây lỗi, `extra.errors` liệt kê
các trường sai (422).

**Phân trang.** Danh sách nhận `limit` (1–200, mặc định 50) và `cursor`, trả về
`{"items": [...], "next_cursor": ...}`. Trang sau: gửi lại đúng truy vấn với `cursor=next_cursor`;
`next_cursor` là null ở trang cuối. Không có tổng số dòng.
"""


class Utf8JSONRenderer(JSONRenderer):
    """Vietnamese text as UTF-8, not \\uXXXX escapes: readable, and a third shorter."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="SổHội API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[token_auth, session_auth],
    renderer=Utf8JSONRenderer(),
    # The spec is served from this host, so Swagger UI must not ask validator.swagger.io about it
    # (wards run SổHội on a LAN: nothing leaves the machine).
    docs=Swagger(settings={"validatorUrl": None}),
)
install_exception_handlers(api)
api.add_router("", catalogue.router)
api.add_router("", units.router)
api.add_router("", me.router)
api.add_router("", members.router)
api.add_router("", reports.router)

__all__ = ["api", "OPERATIONS"]
