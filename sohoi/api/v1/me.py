"""The caller: who they are and where they hold roles."""

from __future__ import annotations

from ninja import Router

from sohoi.accounts.selectors import grants_of_user
from sohoi.core.http import AuthenticatedRequest

from ..permissions import api_operation
from .schemas import MeOut, me_out

router = Router(tags=["Tài khoản"])


@api_operation(router, "GET", "/me", response=MeOut, summary="Tôi")
def me(request: AuthenticatedRequest) -> MeOut:
    return me_out(request.user, list(grants_of_user(user=request.user)))
