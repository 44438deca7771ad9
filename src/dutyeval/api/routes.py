"""REST API (django-ninja, OpenAPI at /api/openapi.json). Same scoping as the pages."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from dutyeval.accounts import scoping
from dutyeval.collection.models import DataValue
from dutyeval.collection.services import StaleVersion, ValidationFailed, YearClosed, save_values, values_etag
from dutyeval.evaluation import services
from dutyeval.evaluation.models import Submission
from dutyeval.evaluation.rules import NotAllowed
from dutyeval.regions.models import Region

api = NinjaAPI(title="DutyEval API", version="1", auth=django_auth, urls_namespace="api")


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class ValueOut(Schema):
    element: str
    year: int
    value: Decimal
    source: str


class ValuesIn(Schema):
    values: dict[str, str | float | int | None]


class ProblemOut(Schema):
    field: str
    reason: str


class SubmissionOut(Schema):
    id: int
    cycle: int
    region: str
    region_name: str
    state: str


class ReturnIn(Schema):
    reason: str


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: list[dict]  # django-ninja's validation errors: type, loc, msg


# Answers the framework gives before an operation runs, declared so clients (and schemathesis) know them:
# a body that is not JSON (400), not signed in (401), CSRF header missing on a write (403), no such object
# or not in the user's regions (404, never telling which), parameters or body not of the declared types (422).
UNREADABLE = {400: ErrorOut}
NOT_SIGNED_IN = {401: ErrorOut}
NOT_FOUND = {404: ErrorOut}
INVALID = {422: InvalidOut}
REFUSED_WRITE = {403: ErrorOut}
MAX_ID = 2**63 - 1  # the largest primary key the databases store; larger ids are a 422, not a 500


def _region(request, code: str) -> Region:
    region = get_object_or_404(Region, code=code)
    # department users work through the pages, on their own share only; the API shows whole regions
    if scoping.is_department_user(request.user) or not scoping.can_view_region(request.user, region):
        raise HttpError(404, "区域不存在或无权访问")
    return region


class RegionPage(Schema):
    count: int
    items: list[RegionOut]


class SubmissionPage(Schema):
    count: int
    items: list[SubmissionOut]


# Lists are paged: a national user's unpaged list of submissions was 587 KB. ?limit (1–500) and ?offset.
PAGE_LIMIT, MAX_LIMIT, MAX_OFFSET = 100, 500, 10**9


def _page(qs, limit: int, offset: int) -> tuple[int, list]:
    return qs.count(), list(qs[offset : offset + limit])


@api.get("/regions", response={200: RegionPage, **NOT_SIGNED_IN, **INVALID})
def list_regions(request, limit: int = Query(PAGE_LIMIT, ge=1, le=MAX_LIMIT),
                 offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    qs = scoping.visible_regions(request.user).select_related("parent").order_by("code")
    count, rows = _page(qs, limit, offset)
    return {"count": count, "items": [RegionOut(code=r.code, name=r.name, level=r.level,
                                                 parent=r.parent.code if r.parent else None) for r in rows]}


@api.get("/regions/{code}/values/{year}", response={200: list[ValueOut], **NOT_SIGNED_IN, **NOT_FOUND, **INVALID})
def region_values(request, code: str, year: int, response: HttpResponse):
    """The figures of one region and year. The ETag header is the version a PUT must send in If-Match."""
    region = _region(request, code)
    qs = DataValue.objects.filter(region=region, year=year).select_related("element")
    response["ETag"] = values_etag(region, year)
    return [ValueOut(element=v.element.code, year=v.year, value=v.value, source=v.source) for v in qs]


class StaleOut(Schema):
    detail: str
    etag: str


@api.put(
    "/regions/{code}/values/{year}",
    response={200: dict, 400: list[ProblemOut] | ErrorOut, 403: ErrorOut, 409: ErrorOut, 412: StaleOut,
              428: ErrorOut, **NOT_SIGNED_IN, **NOT_FOUND, **INVALID},
)
def put_values(request, code: str, year: int, payload: ValuesIn):
    """Store figures of the user's own region. Send the ETag of a GET of the same URL in If-Match
    (or `*` to overwrite whatever is stored): a stale version is refused with 412, so a second
    writer never silently reverts the first one's change."""
    region = _region(request, code)
    if not scoping.can_edit_region_data(request.user, region):  # before 428, so others learn nothing more
        return Status(403, {"detail": "只有本县（市、区）填报联络员可以修改本地数据"})
    if_match = request.headers.get("If-Match")
    if not if_match:
        return Status(428, {"detail": "请先读取（GET）该年度数据，并在请求头 If-Match 中带上返回的 ETag"})
    try:
        written, warnings = save_values(region, year, payload.values, user=request.user, source="entered",
                                        if_match=if_match)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except YearClosed as exc:
        return Status(409, {"detail": str(exc)})
    except StaleVersion as exc:
        return Status(412, StaleOut(detail="该年度数据在您读取后已被修改，请重新读取后再提交", etag=exc.current))
    except ValidationFailed as exc:
        return Status(400, [ProblemOut(field=p.field, reason=p.reason) for p in exc.problems])
    return Status(200, {"written": written, "warnings": [w.reason for w in warnings],
                        "etag": values_etag(region, year)})


@api.get("/submissions", response={200: SubmissionPage, **NOT_SIGNED_IN, **INVALID})
def list_submissions(request, cycle: int | None = Query(None, ge=1, le=MAX_ID),
                     limit: int = Query(PAGE_LIMIT, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    if scoping.is_department_user(request.user):
        return {"count": 0, "items": []}
    qs = Submission.objects.filter(region__in=scoping.visible_regions(request.user)).select_related("region")
    if cycle:
        qs = qs.filter(cycle_id=cycle)
    count, rows = _page(qs.order_by("cycle_id", "region__code"), limit, offset)
    return {"count": count, "items": [_sub_out(s) for s in rows]}


def _sub_out(s: Submission) -> SubmissionOut:
    return SubmissionOut(id=s.pk, cycle=s.cycle_id, region=s.region.code, region_name=s.region.name, state=s.state)


def _submission(request, pk: int) -> Submission:
    sub = get_object_or_404(Submission.objects.select_related("region"), pk=pk)
    if scoping.is_department_user(request.user) or not scoping.can_view_region(request.user, sub.region):
        raise HttpError(404, "材料不存在或无权访问")
    return sub


@api.get("/submissions/{pk}", response={200: SubmissionOut, **NOT_SIGNED_IN, **NOT_FOUND, **INVALID})
def get_submission(request, pk: int):
    return _sub_out(_submission(request, pk))


@api.post(
    "/submissions/{pk}/submit",
    response={200: SubmissionOut, 409: ErrorOut, **NOT_SIGNED_IN, **REFUSED_WRITE, **NOT_FOUND, **INVALID},
)
def submit(request, pk: int, anomaly_reason: str = ""):
    """Submit. When the analysed report has error-level anomalies, `anomaly_reason` must say why anyway."""
    try:
        return Status(200, _sub_out(services.submit_submission(_submission(request, pk), request.user,
                                                               anomaly_reason=anomaly_reason[:2000])))
    except NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    except services.WorkflowError as exc:
        return Status(409, {"detail": str(exc)})


@api.post(
    "/submissions/{pk}/return",
    response={200: SubmissionOut, 409: ErrorOut, **UNREADABLE, **NOT_SIGNED_IN, **REFUSED_WRITE, **NOT_FOUND, **INVALID},
)
def return_(request, pk: int, payload: ReturnIn):
    try:
        return Status(200, _sub_out(services.return_submission(_submission(request, pk), request.user, payload.reason)))
    except NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    except services.WorkflowError as exc:
        return Status(409, {"detail": str(exc)})
