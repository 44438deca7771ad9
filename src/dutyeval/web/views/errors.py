"""Error pages that say more than the default: a file too big to read is 413 with its limit."""

from __future__ import annotations

from django.shortcuts import render

from dutyeval.uploads import FileTooBig


def bad_request(request, exception=None):
    if isinstance(exception, FileTooBig):
        response = render(request, "400.html", {"too_big": str(exception)}, status=413)
        response["X-Upload-Limit-MB"] = str(exception.limit // 1048576)
        return response
    return render(request, "400.html", status=400)
