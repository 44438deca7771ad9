"""Middleware of the web pages."""

from __future__ import annotations

from django.http import HttpResponseNotAllowed
from django.template.loader import render_to_string


class MethodNotAllowedPageMiddleware:
    """Give a page's 405 (e.g. a GET on a POST-only action) the Chinese error page.

    Django renders templates for 400/403/404/500 but answers 405 with an empty body. The API keeps
    its own answers: a client of /api/ wants no HTML.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not request.path.startswith("/api/"):
            page = HttpResponseNotAllowed(
                response["Allow"].split(", ") if response.has_header("Allow") else [],
                render_to_string("405.html", request=request),
            )
            return page
        return response
