from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from sohoi.accounts.permissions import reachable_units
from sohoi.core.http import AuthenticatedRequest


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "web/home.html", {"units": reachable_units(request.user)})
