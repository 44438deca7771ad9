"""The permission matrix: every URL pattern × every role (and anonymous) × region scope × method.

Nothing here lists the pages by hand. The URL patterns come from Django's resolver, the roles from
`User.Role`, so a new page, API endpoint or role joins the matrix by itself — and fails loudly when
the matrix cannot build it:

* a URL parameter the generator does not know (`TARGETS` / `CONSTANTS` below),
* a role without a line in `ROLES`,
* a URL outside the explicit `SKIPPED` allowlist that cannot be walked.

Each URL is filled with objects seen from the persona of each role:

    own        泽州县 140525 (the county coordinator's county) / the 山西省 cycle
    neighbour  阳城县 140522, same province, another county
    province   山西省 140000 itself (region codes only)
    foreign    a county of 河北省 / the 河北省 cycle: outside every persona's province

and requested with GET, POST and (API only) PUT. The rules (`judge`) are deliberately few:

1. never a 5xx;
2. anonymous: pages redirect to the login page, the API answers 401 (public URLs excepted);
3. out of the role's scope: 403, 404 or 405, never 2xx or 3xx;
4. actions reserved to one role (`ONLY`): no other role gets a 2xx;
5. the state (row counts of every DutyEval model, submission states, stored values) is unchanged
   after every request, unless `WRITERS` says that role may change it through that URL.

Every request runs in a savepoint that is rolled back, so cases do not see each other's writes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from dutyeval.accounts.models import User

Role = User.Role
ANONYMOUS = "anonymous"

# URL prefixes the matrix does not walk, each with the reason. Everything else must be walkable.
SKIPPED = {
    "admin/": "Django admin: superusers only (is_staff), its own permission system, tested by Django",
    settings.STATIC_URL.lstrip("/"): "static files: public by design",
}

# Reachable without login; the matrix only checks that they do not fail or change the state.
PUBLIC = {"login", "logout", "healthz", "api:openapi-json", "api:openapi-view", "api:api-root"}


@dataclass(frozen=True)
class Persona:
    home: str  # attribute of the matrix world: the region the role's user acts for
    sees: frozenset[str]  # scopes whose objects the role may open


# One line per role. A role missing here fails the matrix (see test_every_role_has_a_rule).
ROLES = {
    Role.COUNTY_COORDINATOR: Persona(home="zezhou", sees=frozenset({"own"})),
    Role.DEPARTMENT: Persona(home="zezhou", sees=frozenset({"own"})),  # 泽州县's 县财政局 (mw.department)
    Role.PROVINCE_ADMIN: Persona(home="shanxi", sees=frozenset({"own", "neighbour", "province"})),
    Role.REVIEWER: Persona(home="shanxi", sees=frozenset({"own", "neighbour", "province"})),
    # 晋城市 holds both 泽州县 and 阳城县; the province itself and 河北省 are outside it
    Role.CITY_ADMIN: Persona(home="jincheng", sees=frozenset({"own", "neighbour"})),
    Role.CITY_REVIEWER: Persona(home="jincheng", sees=frozenset({"own", "neighbour"})),
    Role.NATIONAL_ADMIN: Persona(home="national", sees=frozenset({"own", "neighbour", "province", "foreign"})),
}

# The objects a URL parameter names, one per scope, keyed "<segment before it>.<parameter>" because
# `pk` means a cycle under cycles/ and a submission under s/. Values are attribute names of `mw`.
TARGETS = {
    "cycles.pk": {"own": "cycle.pk", "foreign": "hebei_cycle.pk"},
    "s.pk": {"own": "sub.pk", "neighbour": "other_sub.pk", "foreign": "hebei_sub.pk"},
    "submissions.pk": {"own": "sub.pk", "neighbour": "other_sub.pk", "foreign": "hebei_sub.pk"},
    "imports.pk": {"own": "attempt.pk", "neighbour": "other_attempt.pk", "foreign": "hebei_attempt.pk"},
    "reports.pk": {"own": "report.pk", "neighbour": "other_report.pk", "foreign": "hebei_report.pk"},
    "evidence.pk": {"own": "evidence.pk", "neighbour": "other_evidence.pk", "foreign": "hebei_evidence.pk"},
    "documents.pk": {"own": "document.pk", "neighbour": "other_document.pk", "foreign": "hebei_document.pk"},
    "draws.pk": {"own": "draw.pk", "neighbour": "other_draw.pk", "foreign": "hebei_draw.pk"},
    "teams.pk": {"own": "fw_team.pk", "neighbour": "other_fw_team.pk", "foreign": "hebei_fw_team.pk"},
    "checks.pk": {"own": "fw_school.pk", "neighbour": "other_fw_school.pk", "foreign": "hebei_fw_school.pk"},
    "rtasks.pk": {"own": "rect_task.pk", "neighbour": "other_rect_task.pk", "foreign": "hebei_rect_task.pk"},
    "rfiles.pk": {"own": "rect_file.pk", "neighbour": "other_rect_file.pk", "foreign": "hebei_rect_file.pk"},
    "rvisits.pk": {"own": "rect_visit.pk", "neighbour": "other_rect_visit.pk", "foreign": "hebei_rect_visit.pk"},
    "rdocs.pk": {"own": "rect_doc.pk", "neighbour": "other_rect_doc.pk", "foreign": "hebei_rect_doc.pk"},
    "survey-imports.pk": {"own": "survey_import.pk", "foreign": "hebei_survey_import.pk"},
    "regions.code": {"own": "zezhou.code", "neighbour": "yangcheng.code", "province": "shanxi.code",
                     "foreign": "hebei_county.code"},
}
# Parameters that do not name a region's object: one value, whatever the scope.
CONSTANTS = {"area": "compulsory", "index": 0, "year": "cycle.data_year", "indicator": "evidence_item.pk",
             "file": 0,  # file: a panel finding's file (none in this world: 404 for all)
             "name": "140000"}  # name: a map boundary file (public geography, any signed-in user)

# Bodies sent with POST / PUT (by url name for pages, "api/<route>" for the API); empty otherwise.
# They are what a legitimate user would send, so that a refusal is a refusal and not a form error.
# A callable is called for each request (a file is read once per request).
BODIES = {
    "evidence-item": lambda: {"file": _evidence_pdf()},
    "data-area": {"enrol_primary": "1234"},
    "submission-return": {"reason": "矩阵测试"},
    "submission-city-review": {"decision": "forward", "opinion": "矩阵测试", "recommended_grade": "优秀"},
    "departments": {"action": "add", "name": "县人社局"},
    "review": {},
    "draws:new": {"kind": "regions"},
    "draws:edit": {"title": "矩阵测试", "n": "11", "strata": "所属设区市", "min_per_stratum": "1"},
    "draws:input": {"text": "07 21 33", "by": "矩阵测试"},
    "rect-dashboard": {"action": "rhythm", "rhythm": "weekly"},
    "rect-region": {"action": "add_finding", "theme": "矩阵测试", "text": "矩阵测试"},
    "rect-task": {"action": "progress", "text": "矩阵测试"},
    "rect-visit": lambda: _followup_result(),
    "fieldwork:cycle": {"action": "team", "name": "矩阵测试"},
    "fieldwork:checklist": lambda: _field_values(),
    "surveys:settings": {"scale": "100", "decimals": "2", "quota_students": "300"},
    "api/regions/<code>/values/<year>": {"values": {"enrol_primary": 1234}},
    "api/submissions/<pk>/return": {"reason": "矩阵测试"},
}

# Headers a legitimate client sends (the API's optimistic concurrency wants If-Match on a PUT).
HEADERS = {
    ("PUT", "api/regions/<code>/values/<year>"): {"If-Match": "*"},
}

ADMIN, COUNTY, REVIEWER = Role.PROVINCE_ADMIN, Role.COUNTY_COORDINATOR, Role.REVIEWER
DEPT, NATIONAL = Role.DEPARTMENT, Role.NATIONAL_ADMIN
CITY = frozenset({Role.CITY_ADMIN, Role.CITY_REVIEWER})
OFFICES = frozenset({ADMIN, NATIONAL, Role.CITY_ADMIN})  # open a cycle of their own region
FILLERS = frozenset({COUNTY, DEPT})  # the department fills what is assigned to it (mw.department)

# Who may change the state through a URL (method, name) with the bodies above, in which scopes.
# Any other request must leave the state exactly as it was.
WRITERS = {
    ("POST", "data-area"): {(COUNTY, "own"), (DEPT, "own")},
    ("POST", "data-excel"): {(COUNTY, "own")},
    ("POST", "self-evaluation"): {(COUNTY, "own")},
    ("POST", "report-upload"): {(COUNTY, "own")},
    ("POST", "report-accept"): {(COUNTY, "own")},
    ("POST", "evidence-item"): {(COUNTY, "own"), (DEPT, "own")},
    ("POST", "evidence-delete"): {(COUNTY, "own"), (DEPT, "own")},
    ("POST", "departments"): {(COUNTY, "own")},
    ("POST", "submission-submit"): {(COUNTY, "own")},
    ("PUT", "api/regions/<code>/values/<year>"): {(COUNTY, "own")},
    ("POST", "api/submissions/<pk>/submit"): {(COUNTY, "own")},
    ("POST", "cycle-recompute"): {(ADMIN, "own")},
    ("POST", "submission-return"): {(ADMIN, "own"), (ADMIN, "neighbour")},
    ("POST", "submission-accept"): {(ADMIN, "own"), (ADMIN, "neighbour")},
    ("POST", "api/submissions/<pk>/return"): {(ADMIN, "own"), (ADMIN, "neighbour")},
    ("POST", "review"): {(ADMIN, "own"), (ADMIN, "neighbour"), (REVIEWER, "own"), (REVIEWER, "neighbour")},
    ("POST", "schools"): {(ADMIN, None)},
    ("POST", "draws:new"): {(ADMIN, "own")},
    ("POST", "rect-dashboard"): {(ADMIN, "own")},
    ("POST", "rect-region"): {(ADMIN, "own"), (ADMIN, "neighbour")},
    ("POST", "rect-task"): {(COUNTY, "own"), (DEPT, "own")},
    ("POST", "fieldwork:cycle"): {(ADMIN, "own")},
    ("POST", "fieldwork:checklist"): {(REVIEWER, "own")},  # the reviewer persona sits on 泽州县's team only
    ("POST", "surveys:settings"): {(ADMIN, "own")},
    ("POST", "surveys:confirm"): {(ADMIN, "own")},
    **{("POST", f"draws:{n}"): {(ADMIN, "own"), (ADMIN, "neighbour")} for n in ("edit", "publish", "input", "make")},
}

# Actions one role alone may take: every other role is refused (any status but 2xx).
ONLY = {
    ("POST", "submission-return"): ADMIN,
    ("POST", "submission-accept"): ADMIN,
    ("POST", "cycle-recompute"): ADMIN,
    ("POST", "api/submissions/<pk>/return"): ADMIN,
    ("GET", "schools"): ADMIN,
    ("POST", "schools"): ADMIN,
    ("GET", "cycle-new"): OFFICES,
    ("POST", "cycle-new"): OFFICES,
    ("GET", "cycle-edit"): ADMIN,
    ("POST", "cycle-edit"): ADMIN,
    ("POST", "cycle-publish"): ADMIN,
    ("POST", "cycle-urge"): ADMIN,
    ("POST", "submission-allow-late"): ADMIN,
    ("GET", "data-correct"): ADMIN,
    ("POST", "data-correct"): ADMIN,
    ("POST", "submission-submit"): COUNTY,
    ("POST", "cover-record"): COUNTY,
    ("POST", "api/submissions/<pk>/submit"): COUNTY,
    ("PUT", "api/regions/<code>/values/<year>"): COUNTY,
    ("POST", "data-area"): FILLERS,
    ("POST", "data-excel"): COUNTY,
    ("POST", "self-evaluation"): FILLERS,
    ("POST", "report-upload"): COUNTY,
    ("POST", "report-accept"): COUNTY,
    ("POST", "evidence-item"): FILLERS,
    ("POST", "evidence-delete"): FILLERS,
    ("POST", "departments"): COUNTY,
    ("POST", "submission-city-review"): CITY,
    ("GET", "panels"): ADMIN,
    ("POST", "panels"): ADMIN,
    ("GET", "panel-experts"): OFFICES,
    ("POST", "panel-experts"): OFFICES,
    ("POST", "panel"): frozenset({REVIEWER, Role.CITY_REVIEWER}),
    ("POST", "supplement"): COUNTY,
    **{("POST", f"draws:{n}"): ADMIN for n in ("new", "edit", "publish", "input", "make")},
    ("POST", "release"): ADMIN,
    ("POST", "appeals"): COUNTY,
    ("POST", "rect-dashboard"): ADMIN,
    ("POST", "rect-region"): frozenset({ADMIN, COUNTY}),
    ("POST", "rect-task"): frozenset({ADMIN, COUNTY, DEPT}),
    # a follow-up visit's checklist: the office and the visit's team (the reviewer persona sits on 泽州县's)
    **{(m, "rect-visit"): frozenset({ADMIN, REVIEWER}) for m in ("GET", "POST")},
    **{(m, f"fieldwork:{n}"): ADMIN for m in ("GET", "POST") for n in ("cycle", "credibility")},
    ("POST", "fieldwork:checklist"): REVIEWER,  # team members fill; the office arranges but never fills
    **{(m, f"surveys:{n}"): ADMIN for m in ("GET", "POST") for n in ("import", "settings", "preview", "confirm")},
    **{(m, f"surveys:{n}"): frozenset({ADMIN, NATIONAL}) for m in ("GET", "POST") for n in ("cycle", "export")},
    ("GET", "surveys:region"): frozenset({ADMIN, NATIONAL, COUNTY}),
    ("GET", "cycle-map"): frozenset({ADMIN, NATIONAL, REVIEWER, *CITY}),  # never the evaluated region
}

# Requests that must change the state: proof that the bodies are right and the fingerprint sees writes,
# so that "unchanged" elsewhere means refused and not merely ignored.
CONTROLS = {
    ("POST", "data-area", COUNTY, "own"),
    ("PUT", "api/regions/<code>/values/<year>", COUNTY, "own"),
    ("POST", "report-accept", COUNTY, "own"),
    ("POST", "evidence-item", COUNTY, "own"),
    ("POST", "evidence-delete", COUNTY, "own"),
    ("POST", "cycle-recompute", ADMIN, "own"),
    ("POST", "data-area", DEPT, "own"),
    ("POST", "evidence-item", DEPT, "own"),
    ("POST", "departments", COUNTY, "own"),
    ("POST", "draws:new", ADMIN, "own"),
    ("POST", "draws:input", ADMIN, "own"),
    ("POST", "draws:make", ADMIN, "neighbour"),
    ("POST", "rect-dashboard", ADMIN, "own"),
    ("POST", "rect-region", ADMIN, "neighbour"),
    ("POST", "rect-task", COUNTY, "own"),
    ("POST", "rect-task", DEPT, "own"),
    ("POST", "fieldwork:cycle", ADMIN, "own"),
    ("POST", "fieldwork:checklist", REVIEWER, "own"),
    ("POST", "surveys:settings", ADMIN, "own"),
    ("POST", "surveys:confirm", ADMIN, "own"),
}

# Cases known to fail, awaiting a fix elsewhere: {(method, name, role, scope): reason}. Empty is the goal.
KNOWN = {}


@dataclass(frozen=True)
class UrlCase:
    route: str  # e.g. "s/<int:pk>/data/<slug:area>/"
    name: str  # what the rules say: the url name for pages ("data-area"), the route for the API
    url_name: str  # Django's name, with its namespace ("api:list_regions")
    pattern: RoutePattern

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def methods(self) -> tuple[str, ...]:
        return ("GET", "POST", "PUT") if self.is_api else ("GET", "POST")

    @property
    def public(self) -> bool:
        return self.url_name in PUBLIC


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        route = prefix + str(p.pattern)
        if any(route.startswith(skip) for skip in SKIPPED):
            continue
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield route, f"{namespace}:{p.name}" if namespace else p.name, p.pattern


def url_cases() -> list[UrlCase]:
    """Every URL pattern outside SKIPPED, once per route (django-ninja lists a route once per operation)."""
    seen, cases = set(), []
    for route, url_name, pattern in _walk(get_resolver().url_patterns):
        if route in seen:
            continue
        seen.add(route)
        name = route if route.startswith("api/") else url_name
        cases.append(UrlCase(route=route, name=name, url_name=url_name, pattern=pattern))
    return cases


PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


def _params(route: str) -> list[tuple[str, str]]:
    """(key, name) of each parameter; key is "<segment before it>.<name>"."""
    out = []
    for m in PARAM.finditer(route):
        before = [s for s in route[: m.start()].split("/") if s and "<" not in s]
        out.append((f"{before[-1] if before else ''}.{m['name']}", m["name"]))
    return out


def _attr(obj, dotted: str):
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def scopes_of(case: UrlCase) -> list[str | None]:
    """The scopes a URL can be built in (None: it names no region's object); fails on unknown parameters."""
    scoped = []
    for key, name in _params(case.route):
        if key in TARGETS:
            scoped.append(set(TARGETS[key]))
        elif name not in CONSTANTS:
            pytest.fail(
                f"URL pattern {case.route!r} has the parameter <{name}> that the permission matrix does not "
                f"know. Add {key!r} to TARGETS (one object per scope: own / neighbour / foreign) or {name!r} "
                f"to CONSTANTS in {__name__}, so the new URL is tested for every role and region."
            )
    if not scoped:
        return [None]
    return sorted(set.intersection(*scoped))


def build_url(case: UrlCase, scope: str | None, mw) -> str:
    keys = dict(_params(case.route))

    def fill(m):
        name = m["name"]
        key = next(k for k, n in keys.items() if n == name)
        spec = TARGETS[key][scope] if key in TARGETS else CONSTANTS[name]
        value = _attr(mw, spec) if isinstance(spec, str) and "." in spec else spec
        return str(case.pattern.converters[name].to_url(value))

    return "/" + PARAM.sub(fill, case.route)


def _field_values() -> dict:
    """A whole school checklist as a team member submits it (the figures of mw's 泽州县 school record)."""
    from dutyeval.fieldwork.checklist import ELEMENTS

    return {f"{field}@primary": "10" for field, _unit, _kind in ELEMENTS}


def _followup_result() -> dict:
    """An on-site result for 泽州县's task on its follow-up checklist (refused: the draw is not drawn)."""
    from dutyeval.rectification.models import FollowUpItem

    task = FollowUpItem.objects.get(visit__region__code="140525").task_id
    return {"action": "record", "task": str(task), "verdict": "true", "note": "矩阵测试"}


def _evidence_pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from evidence.samples import pdf

    return SimpleUploadedFile("佐证材料.pdf", pdf())


@pytest.fixture
def mw(world, django_user_model, settings, tmp_path):
    """The conftest world, plus a 河北省 cycle, and per county an import attempt, an analysed report
    and a PDF of evidence (on disk, in a temporary MEDIA_ROOT)."""
    from dutyeval.collection.models import ImportAttempt
    from dutyeval.core.textfacts.api import ingest_bytes
    from dutyeval.evaluation.models import Cycle, Submission
    from dutyeval.regions.models import Region
    from dutyeval.reports.models import ReportDocument

    w = world
    w.hebei_county = Region.objects.filter(code__startswith="13", level="county").order_by("code").first()
    assert w.hebei_county is not None, "no county loaded for 河北省"
    w.hebei_cycle = Cycle.objects.create(name="河北省2021年评价", scheme=w.scheme, year=2021, data_year=2020,
                                         root=w.hebei)
    w.hebei_sub = Submission.objects.create(cycle=w.hebei_cycle, region=w.hebei_county)
    # a real analysis result, as the report pages read it; its first mapped figure is what report-accept takes
    text = "2020年，全县小学生均一般公共预算教育支出13660.70元，比上年增长4.22%。"
    result = ingest_bytes(text.encode(), "r.txt", {}, year=w.cycle.data_year).to_dict()
    figures = result["figures"]
    mapped = next(i for i, f in enumerate(figures) if f.get("element"))
    result["figures"] = [figures[mapped]] + figures[:mapped] + figures[mapped + 1:]
    for attr, sub in (("", w.sub), ("other_", w.other_sub), ("hebei_", w.hebei_sub)):
        setattr(w, f"{attr}attempt", ImportAttempt.objects.create(
            region=sub.region, year=sub.cycle.data_year, filename="x.xlsx",
            errors=[{"sheet": "s", "row": 3, "field": "enrol_primary", "label": "", "reason": "非数字"}]))
        setattr(w, f"{attr}report", ReportDocument.objects.create(
            submission=sub, filename="报告.docx", stored_name="none", size=1, sha256="0" * 64, state="done",
            result=result))
    from dutyeval import uploads
    from dutyeval.evidence.models import Evidence
    from dutyeval.evidence.services import FOLDER, requires_evidence
    from dutyeval.schemes.models import Indicator

    settings.MEDIA_ROOT = tmp_path / "media"
    w.evidence_item = next(i for i in Indicator.objects.filter(scheme=w.scheme, children__isnull=True).order_by("order")
                           if requires_evidence(i))
    data = _evidence_pdf().read()
    for attr, sub in (("", w.sub), ("other_", w.other_sub), ("hebei_", w.hebei_sub)):
        stored = uploads.store_stream(data, FOLDER, "", max_bytes=len(data), quota=len(data), used=0, what="")
        setattr(w, f"{attr}evidence", Evidence.objects.create(
            submission=sub, indicator=w.evidence_item, filename="纪要.pdf", stored_name=stored.name,
            content_type="application/pdf", size=stored.size, sha256=stored.sha256))
    # 泽州县's 县财政局 fills the evidenced item and the primary enrolment (the bodies above write them)
    from dutyeval.departments.models import Assignment, Department

    w.jincheng = w.zezhou.parent
    w.national = Region.objects.get_or_create(code="000000", defaults={"name": "全国", "level": "national"})[0]
    w.department = Department.objects.create(region=w.zezhou, name="县财政局")
    Assignment.objects.create(submission=w.sub, kind="item", code=w.evidence_item.code, department=w.department)
    Assignment.objects.create(submission=w.sub, kind="element", code="enrol_primary", department=w.department)
    from dutyeval.documents.models import GeneratedDocument

    for attr, sub in (("", w.sub), ("other_", w.other_sub), ("hebei_", w.hebei_sub)):  # drafts, files not on disk
        setattr(w, f"{attr}document", GeneratedDocument.objects.create(
            cycle=sub.cycle, region=sub.region, kind="self_report", version=1, title="自查自评报告",
            content={"kind": "self_report", "issuer_mark": "", "number": "", "title": "自查自评报告", "addressee": "",
                     "body": [], "signature": "", "date": "2021-11-09", "annexes": []},
            docx_path="documents/none.docx", docx_sha256="0" * 64))
    # draws: the 山西省 counties draw published (inputs may be added), 阳城县's schools draw published with
    # one input (it may be drawn), a 河北省 draw
    from dutyeval.draws import services as draws
    from dutyeval.regions.models import School

    School.objects.create(code="2140522001", name="阳城县第一小学", type="primary", county=w.yangcheng)
    w.draw = draws.publish_draw(draws.prepare_draw(w.cycle, w.province_admin, "regions"), w.province_admin)
    w.other_draw = draws.publish_draw(draws.prepare_draw(w.cycle, w.province_admin, "schools", w.yangcheng),
                                      w.province_admin)
    draws.add_public_input(w.other_draw, w.province_admin, "5", "矩阵测试")
    w.hebei_draw = draws.publish_draw(draws.prepare_draw(w.hebei_cycle, w.outsider, "regions"), w.outsider)
    # rectification: per county a confirmed finding, an approved plan with one open task (泽州县's given to
    # mw.department, so the department persona sees it), a progress report with a file, a report document
    from dutyeval.rectification import models as rect

    for attr, sub in (("", w.sub), ("other_", w.other_sub), ("hebei_", w.hebei_sub)):
        dept = w.department if sub is w.sub else Department.objects.create(region=sub.region, name="县教育局")
        finding = rect.Finding.objects.create(cycle=sub.cycle, region=sub.region, source="office", key="office:1",
                                              theme="教育投入", text="矩阵问题", state="confirmed")
        plan = rect.Plan.objects.create(cycle=sub.cycle, region=sub.region, state="approved")
        task = rect.Task.objects.create(plan=plan, finding=finding, measures="矩阵措施", department=dept,
                                        deadline=finding.found_on, state="open")
        report = rect.ProgressReport.objects.create(task=task, period="2021年5月", text="进展")
        stored = uploads.store_stream(data, "rectification", "", max_bytes=len(data), quota=len(data), used=0,
                                      what="")
        setattr(w, f"{attr}rect_task", task)
        setattr(w, f"{attr}rect_file", rect.EvidenceFile.objects.create(
            report=report, filename="材料.pdf", stored_name=stored.name, content_type="application/pdf",
            size=stored.size, sha256=stored.sha256))
        setattr(w, f"{attr}rect_doc", rect.RectDocument.objects.create(
            cycle=sub.cycle, region=sub.region, kind="report", version=1, title="整改情况报告",
            content={"kind": "self_report", "issuer_mark": "", "number": "", "title": "整改情况报告", "addressee": "",
                     "body": [], "signature": "", "date": "2021-11-09", "annexes": []},
            docx_path="rectification_docs/none.docx"))
    # satisfaction surveys: a previewed import per province cycle (confirming writes 泽州县's / the county's figure)
    from dutyeval.surveys.services import read_import

    w.survey_import = read_import(w.cycle, w.province_admin, "区域代码,调查对象,得分\n140525,学生,90\n".encode(), "s.csv")
    w.hebei_survey_import = read_import(w.hebei_cycle, w.outsider,
                                        f"区域代码,调查对象,得分\n{w.hebei_county.code},学生,90\n".encode(), "s.csv")
    assert w.survey_import.state == w.hebei_survey_import.state == "preview"
    w.users = {}
    for role in Role:
        persona = ROLES.get(role)
        if persona is None:
            continue  # test_every_role_has_a_rule says so; the matrix skips it for the other cases
        w.users[role] = django_user_model.objects.create(
            username=f"matrix-{role}", role=role, region=getattr(w, persona.home), display_name=str(role),
            department=w.department if role == DEPT else None)
    # field verification: 泽州县's team has the reviewer persona as a member, 阳城县's and 河北省's do not
    from dutyeval.fieldwork.models import Team, TeamMember, Visit, VisitedSchool
    from dutyeval.regions.models import SchoolYearRecord

    zezhou_school = School.objects.create(code="2140525001", name="泽州县第一小学", type="primary", county=w.zezhou)
    SchoolYearRecord.objects.create(school=zezhou_school, year=w.cycle.data_year, level="primary", students=10)
    hebei_school = School.objects.create(code="2130000001", name="河北小学", type="primary", county=w.hebei_county)
    yangcheng_school = School.objects.get(code="2140522001")
    for attr, cycle, region, school in (("", w.cycle, w.zezhou, zezhou_school),
                                        ("other_", w.cycle, w.yangcheng, yangcheng_school),
                                        ("hebei_", w.hebei_cycle, w.hebei_county, hebei_school)):
        team = Team.objects.create(cycle=cycle, name="矩阵核查组")
        visit = Visit.objects.create(team=team, region=region, starts="2021-10-11", ends="2021-10-12", reason="矩阵")
        setattr(w, f"{attr}fw_team", team)
        setattr(w, f"{attr}fw_school", VisitedSchool.objects.create(visit=visit, school=school, reason="矩阵"))
    TeamMember.objects.create(team=w.fw_team, user=w.users[REVIEWER], role="leader")
    # 回头看: each field visit carries a follow-up checklist line with its region's task
    for attr, draw in (("", w.draw), ("other_", w.draw), ("hebei_", w.hebei_draw)):
        fu, _ = rect.FollowUpDraw.objects.get_or_create(cycle=draw.cycle, draw=draw)
        visit = getattr(w, f"{attr}fw_school").visit
        rect.FollowUpItem.objects.create(visit=visit, followup=fu, task=getattr(w, f"{attr}rect_task"))
        setattr(w, f"{attr}rect_visit", visit)
    return w


def fingerprint() -> tuple:
    """Cheap state: row counts of every DutyEval model, submission states, stored values and scores."""
    from dutyeval.collection.models import DataValue
    from dutyeval.evaluation.models import ItemScore, Submission
    from dutyeval.reports.models import ReportDocument

    counts = tuple(
        (m._meta.label, m._default_manager.count())
        for m in apps.get_models()
        if m.__module__.startswith("dutyeval.")
    )
    return (
        counts,
        tuple(Submission.objects.order_by("pk").values_list("pk", "state")),
        tuple(DataValue.objects.order_by("pk").values_list("pk", "value")),
        tuple(ItemScore.objects.order_by("pk").values_list("pk", "self_score", "reviewer_score", "vetoed")),
        tuple(ReportDocument.objects.order_by("pk").values_list("pk", "accepted")),
    )


def request(client: Client, case: UrlCase, method: str, url: str):
    body = BODIES.get(case.name, {})
    body = body() if callable(body) else body
    if case.is_api:
        return client.generic(method, url, json.dumps(body), content_type="application/json",
                              headers=HEADERS.get((method, case.name), {}))
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, body)
    return client.generic(method, url)


def login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


def judge(case: UrlCase, method: str, role, scope, status: int, location: str, changed: bool, persona) -> str | None:
    """The reason the outcome is wrong, or None."""
    if status >= 500:
        return f"server error {status}"
    if changed and (role, scope) not in WRITERS.get((method, case.name), ()):
        return f"state changed (status {status}) although this role may not write here"
    if case.public:
        return None
    if role == ANONYMOUS:
        if case.is_api:  # 405: the method is refused before the session is read, which tells nothing
            return None if status in (401, 405) else f"anonymous got {status}, expected 401"
        if status == 302 and location.startswith(login_url()):
            return None
        return f"anonymous got {status} {location}, expected a redirect to {login_url()}"
    if scope is not None and scope not in persona.sees:
        return None if status in (403, 404, 405) else f"out of scope, got {status}, expected 403/404/405"
    only = ONLY.get((method, case.name))
    only = only if only is None or isinstance(only, frozenset) else frozenset({only})
    if only is not None and role not in only and 200 <= status < 300:
        return f"reserved to {'/'.join(sorted(r.label for r in only))}, got {status}"
    if status == 302 and location.startswith(login_url()):
        return "a signed-in user was sent to the login page"
    return None


CASES = url_cases()


def test_every_role_has_a_rule():
    missing = [str(r) for r in Role if r not in ROLES]
    assert not missing, (
        f"roles without a line in ROLES of {__name__}: {missing}. Say which region the role acts for and "
        f"which scopes it sees, and add its writes to WRITERS / ONLY, so the matrix covers it."
    )


def test_the_matrix_covers_the_site():
    """The walk finds the pages and the API; a broken walk must not pass as an empty matrix."""
    names = {c.name for c in CASES}
    assert {"submission", "data-area", "cycle", "api/regions/<code>/values/<year>"} <= names
    assert len(CASES) >= 25


def run_matrix(mw, cases, subtests, wrote: set) -> int:
    """Run every case of the given URL patterns, one subtest per pattern; returns the number of cases."""
    client = Client()  # one client: each new one loads the middleware (whitenoise scans the static files)
    sessions = {}
    for role, user in mw.users.items():
        client.cookies.clear()  # else the next login flushes the previous user's session
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    total = 0
    for case in cases:
        with subtests.test(msg=case.name):
            failures, ran = [], 0
            for role in [ANONYMOUS, *Role]:
                if role != ANONYMOUS and role not in ROLES:
                    continue  # test_every_role_has_a_rule fails for it
                persona = ROLES.get(role)
                for scope in scopes_of(case):
                    url = build_url(case, scope, mw)
                    for method in case.methods:
                        client.cookies.clear()
                        if role != ANONYMOUS:
                            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
                        with transaction.atomic():
                            # the savepoint also undoes a logout: the session row comes back
                            before = fingerprint()
                            r = request(client, case, method, url)
                            changed = fingerprint() != before
                            transaction.set_rollback(True)
                        ran += 1
                        if changed:
                            wrote.add((method, case.name, role, scope))
                        why = judge(case, method, role, scope, r.status_code, r.get("Location", ""), changed, persona)
                        if why and (method, case.name, role, scope) not in KNOWN:
                            failures.append(f"{method} {url} as {role} ({scope or 'no scope'}): {why}")
            total += ran
            assert not failures, f"{case.route}: {len(failures)} of {ran} cases broke the rules:\n" + "\n".join(failures)
    return total


def test_permission_matrix(mw, subtests):
    wrote = set()
    total = run_matrix(mw, CASES, subtests, wrote)
    print(f"\npermission matrix: {len(CASES)} URL patterns, {total} cases")
    assert CONTROLS <= wrote, f"these writes did not happen, so the matrix cannot tell a refusal: {CONTROLS - wrote}"
