import os
import platform

from django.conf import settings
from django.http import JsonResponse
from django.urls import path


def index(request):
    """What collectstatic left in STATIC_ROOT at build time."""
    static_root = settings.STATIC_ROOT
    collected = sorted(os.listdir(static_root)) if os.path.isdir(static_root) else []
    css = (static_root / "site.css").read_text() if "site.css" in collected else ""
    return JsonResponse({"python": platform.python_version(), "collected": collected, "css": css, "uid": os.getuid()})


urlpatterns = [path("", index)]
