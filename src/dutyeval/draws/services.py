"""Draws of a cycle: prepare, publish with a commitment, take the observers' inputs, draw once.

Every state change is a named function with an audit record (transition table in models.py); the
computation is core.lottery's, so the web, the CLI and an observer's own verifier agree byte for byte.
Only the office running the cycle (accounts.scoping.runs_cycle) changes a draw.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.core import lottery
from dutyeval.core.lottery import DrawError, Note, Parameters
from dutyeval.evaluation.cycles import evaluated_regions
from dutyeval.evaluation.models import Cycle
from dutyeval.regions.models import Region, School

from .models import Draw, DrawRecord, PublicInput

REGION_COLUMNS = ("区划代码", "名称", "所属设区市")
SCHOOL_COLUMNS = ("学校标识码", "学校名称", "学校类型")
CITY_COLUMN, SCHOOL_TYPE_COLUMN = REGION_COLUMNS[2], SCHOOL_COLUMNS[2]
DEFAULT_REGIONS = 20  # Jiangxi draws 20 counties a year (seed 003)
DEFAULT_SCHOOLS = 4
MAX_INPUTS = 20


class DrawsError(Exception):
    """A draw cannot be prepared, changed or made as asked. The message is for users (Chinese)."""


def require_office(user, cycle: Cycle) -> None:
    if not scoping.runs_cycle(user, cycle):
        raise DrawsError(_("只有组织本次评价的督导办可以办理抽签"))


def can_see(user, draw: Draw) -> bool:
    """The office running the cycle sees every draw; once published, a draw is public within scope:
    whoever sees the cycle or acts for a region inside it — for a schools draw, only those who may
    see that county (a neighbouring county does not learn another's schools)."""
    cycle = draw.cycle
    if scoping.runs_cycle(user, cycle):
        return True
    if draw.state == Draw.State.DRAFT or not user.is_authenticated:
        return False
    if user.is_superuser and user.region_id is None:
        return True
    inside = user.region_id is not None and cycle.root.contains(user.region)
    if not (scoping.sees_cycle(user, cycle) or inside):
        return False
    return draw.county is None or scoping.can_view_region(user, draw.county)


def sees_draws_of(user, cycle: Cycle) -> bool:
    """Opens the cycle's draws page (which then lists only the draws `can_see` allows)."""
    inside = user.is_authenticated and user.region_id is not None and cycle.root.contains(user.region)
    return scoping.sees_cycle(user, cycle) or inside or scoping.runs_cycle(user, cycle)


# ---------------------------------------------------------------------------------------------
# Frames


def regions_frame(cycle: Cycle) -> lottery.Frame:
    """The cycle's evaluated regions in code order, with their city (the stratum of a province's draw)."""
    regions = evaluated_regions(cycle.root, cycle.level, cycle.excluded).select_related("parent").order_by("code")
    rows = [(r.code, r.name, r.parent.name if r.parent else "") for r in regions]
    if not rows:
        raise DrawsError(_("本次评价没有被评价地区，无法生成抽签名单"))
    return lottery.make_frame(REGION_COLUMNS, rows)


def schools_frame(county: Region) -> lottery.Frame:
    """A county's schools (学校名单) in code order, with their type (a possible stratum)."""
    schools = School.objects.filter(county=county).order_by("code")
    rows = [(s.code, s.name, s.get_type_display()) for s in schools]
    if not rows:
        raise DrawsError(_("%(county)s没有学校名单，请先在“学校名单”中导入") % {"county": county.name})
    return lottery.make_frame(SCHOOL_COLUMNS, rows)


def _strata_default(cycle: Cycle, frame: lottery.Frame) -> str | None:
    """At least one county per city when a province draws its counties."""
    cities = {r[2] for r in frame.rows}
    return CITY_COLUMN if cycle.root.level == Region.Level.PROVINCE and cycle.level == "county" and len(cities) > 1 \
        else None


# ---------------------------------------------------------------------------------------------
# Transitions


@transaction.atomic
def prepare_draw(cycle: Cycle, user, kind: str, county: Region | None = None) -> Draw:
    """A draft with the frame generated from the database and default parameters."""
    require_office(user, cycle)
    if kind == Draw.Kind.REGIONS:
        frame = regions_frame(cycle)
        strata = _strata_default(cycle, frame)
        cities = len({r[2] for r in frame.rows})
        n = min(len(frame.rows), max(DEFAULT_REGIONS, cities if strata else 1))
        title = _("%(cycle)s实地核查地区抽签") % {"cycle": cycle.name}
        county = None
    elif kind == Draw.Kind.SCHOOLS:
        if county is None or not evaluated_regions(cycle.root, cycle.level, cycle.excluded).filter(pk=county.pk).exists():
            raise DrawsError(_("请选择本次评价的一个被评价县（市、区）"))
        frame = schools_frame(county)
        strata, n = None, min(len(frame.rows), DEFAULT_SCHOOLS)
        title = _("%(county)s实地核查当日学校抽签") % {"county": county.name}
    else:
        raise DrawsError(_("未知的抽签类型"))
    params = Parameters(n=n, strata=strata)
    try:
        lottery.plan(frame, params)
    except DrawError as e:
        raise DrawsError(e.message) from None
    draw = Draw.objects.create(cycle=cycle, kind=kind, county=county, title=title, frame=frame.to_json(),
                               parameters=params.to_json(), frame_sha256=frame.sha256, created_by=user)
    log_action("draws.draw.prepare", actor=user, obj=draw, region=draw.region,
               data={"kind": kind, "units": len(frame.rows), "parameters": params.to_json()})
    return draw


LINE = re.compile(r"^\s*(\S+)\s*[：:,，\s]\s*(.+?)\s*$")


def parse_notes(text: str, what: str) -> list[Note]:
    """Lines "代码 理由" (space, colon or comma between) → notes; a code without a reason is an error."""
    notes = []
    for k, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        m = LINE.match(line)
        if not m:
            raise DrawsError(_("%(what)s第 %(k)d 行“%(line)s”：请写成“代码 理由”，理由不能为空")
                             % {"what": what, "k": k, "line": line.strip()})
        notes.append(Note(m[1], m[2]))
    return notes


@transaction.atomic
def update_draft(draw: Draw, user, *, title: str, n: int, strata: str | None, min_per_stratum: int,
                 exclusions: list[Note], forced: list[Note]) -> Draw:
    """Change a draft's parameters and notes; refused with the reason when the draw could not be made."""
    require_office(user, draw.cycle)
    draw = Draw.objects.select_for_update().get(pk=draw.pk)
    if draw.state != Draw.State.DRAFT:
        raise DrawsError(_("名单已公布，不能再修改"))
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise DrawsError(_("请填写抽签名称（不超过 200 字）"))
    base = draw.lottery_frame
    params = Parameters(n=n, strata=strata or None, min_per_stratum=min_per_stratum)
    try:
        frame = lottery.make_frame(base.columns, base.rows, exclusions, forced)
        lottery.plan(frame, params)
    except DrawError as e:
        raise DrawsError(e.message) from None
    old = {"title": draw.title, "parameters": draw.parameters, "exclusions": draw.frame.get("exclusions"),
           "forced": draw.frame.get("forced")}
    draw.title, draw.frame, draw.parameters, draw.frame_sha256 = title, frame.to_json(), params.to_json(), frame.sha256
    draw.save(update_fields=["title", "frame", "parameters", "frame_sha256"])
    log_action("draws.draw.update", actor=user, obj=draw, region=draw.region,
               data={"old": old, "new": {"title": title, "parameters": draw.parameters,
                                         "exclusions": draw.frame["exclusions"], "forced": draw.frame["forced"]}})
    return draw


@transaction.atomic
def publish_draw(draw: Draw, user) -> Draw:
    """Commit and publish: the system draws the secret and publishes its SHA-256 with the frame."""
    require_office(user, draw.cycle)
    draw = Draw.objects.select_for_update().get(pk=draw.pk)
    if draw.state != Draw.State.DRAFT:
        at = timezone.localtime(draw.published_at)
        raise DrawsError(_("名单已于 %(at)s 公布，不能再次公布") % {"at": f"{at:%Y-%m-%d %H:%M}"})
    try:
        lottery.plan(draw.lottery_frame, draw.lottery_parameters)
    except DrawError as e:
        raise DrawsError(e.message) from None
    draw.secret = lottery.new_secret()
    draw.commitment = lottery.commitment_of(draw.secret)
    draw.state, draw.published_by, draw.published_at = Draw.State.PUBLISHED, user, timezone.now()
    draw.save(update_fields=["secret", "commitment", "state", "published_by", "published_at"])
    log_action("draws.draw.publish", actor=user, obj=draw, region=draw.region,
               data={"frame_sha256": draw.frame_sha256, "commitment": draw.commitment,
                     "parameters": draw.parameters, "units": len(draw.frame["rows"])})
    return draw


def _refused(action: str, draw: Draw, user, data: dict, message: str):
    """Record a refused attempt (outside the transaction that refuses it, so the record stays)."""
    log_action(action, actor=user, obj=draw, region=draw.region, data=data | {"reason": message})
    raise DrawsError(message)


def add_public_input(draw: Draw, user, text: str, by: str) -> PublicInput:
    """Write down what an observer called out, in order. After the draw: refused and audited."""
    require_office(user, draw.cycle)
    text, by = lottery.normalize_input(text or ""), " ".join((by or "").split())
    refused = None
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        if draw.state == Draw.State.DRAWN:
            refused = _("抽签已完成，不能再录入公开输入；结果不可更改")
        elif draw.state != Draw.State.PUBLISHED:
            raise DrawsError(_("请先公布名单和承诺值，再录入现场公开输入"))
        else:
            if not text:
                raise DrawsError(_("请填写监督人员报出的内容（数字、骰子点数等）"))
            if len(text) > 200:
                raise DrawsError(_("公开输入不能超过 200 个字符"))
            if not by or len(by) > 100:
                raise DrawsError(_("请填写报出人（姓名和单位，不超过 100 字）"))
            try:
                lottery.check_inputs([{"text": text}])
            except DrawError as e:
                raise DrawsError(e.message) from None
            count = draw.inputs.count()
            if count >= MAX_INPUTS:
                raise DrawsError(_("公开输入最多 %(n)d 条") % {"n": MAX_INPUTS})
            entry = PublicInput.objects.create(draw=draw, order=count + 1, text=text, by=by, entered_by=user)
            log_action("draws.input.add", actor=user, obj=draw, region=draw.region,
                       data={"order": entry.order, "text": text, "by": by})
            return entry
    _refused("draws.input.refused", draw, user, {"text": text, "by": by}, refused)


def inputs_of(draw: Draw) -> list[dict]:
    return [{"text": i.text, "by": i.by, "entered_at": timezone.localtime(i.entered_at).isoformat(timespec="seconds")}
            for i in draw.inputs.order_by("order")]


def make_draw(draw: Draw, user) -> DrawRecord:
    """Draw once. The record is written with the draw in one transaction; a draw already made is
    never made again: the attempt is refused and audited (with the inputs it would have used)."""
    require_office(user, draw.cycle)
    refused = None
    with transaction.atomic():
        draw = Draw.objects.select_for_update(of=("self",)).select_related("cycle", "county").get(pk=draw.pk)
        if draw.state == Draw.State.DRAWN:
            done = timezone.localtime(draw.record.drawn_at)
            refused = _("本次抽签已于 %(at)s 完成，结果不可更改，不能重新抽签") % {"at": f"{done:%Y-%m-%d %H:%M}"}
        elif draw.state != Draw.State.PUBLISHED or not draw.commitment:
            raise DrawsError(_("缺少事先公布的承诺值：请先公布名单和承诺值，再抽签"))
        else:
            now = timezone.now()
            meta = {"title": draw.title, "cycle": draw.cycle.name, "office": draw.cycle.root.name,
                    "county": draw.county.name if draw.county else None,
                    "published_at": timezone.localtime(draw.published_at).isoformat(timespec="seconds"),
                    "drawn_at": timezone.localtime(now).isoformat(timespec="seconds"),
                    "system": "DutyEval 履职评价系统"}
            try:
                record = lottery.make_record(draw.lottery_frame, draw.lottery_parameters, draw.secret,
                                             draw.commitment, inputs_of(draw), meta=meta)
            except DrawError as e:
                raise DrawsError(e.message) from None
            try:
                with transaction.atomic():
                    made = DrawRecord.objects.create(draw=draw, record=record, record_sha256=record["record_sha256"],
                                                     drawn_by=user, drawn_at=now)
            except IntegrityError:  # another request drew it a moment ago
                refused = _("本次抽签刚刚已完成，结果不可更改，不能重新抽签")
            else:
                draw.state = Draw.State.DRAWN
                draw.save(update_fields=["state"])
                log_action("draws.draw.make", actor=user, obj=draw, region=draw.region,
                           data={"record_sha256": made.record_sha256, "result": [e["code"] for e in record["result"]],
                                 "inputs": [i["text"] for i in record["public_inputs"]]})
                return made
    attempt = [i.text for i in draw.inputs.order_by("order")]
    _refused("draws.draw.refused", draw, user, {"inputs": attempt}, refused)


# ---------------------------------------------------------------------------------------------
# What pages and downloads show


def published_json(draw: Draw) -> dict:
    """The record once drawn; before that, what was published (no secret, no inputs, no result)."""
    if draw.state == Draw.State.DRAWN:
        return draw.record.record
    return lottery.announcement(draw.lottery_frame, draw.lottery_parameters, draw.commitment,
                                meta={"title": draw.title, "cycle": draw.cycle.name})


def rows_for_display(draw: Draw) -> list[dict]:
    """The frame's units with their status (排除 / 必抽 + reason) and, once drawn, their pick order."""
    frame = draw.frame
    excluded = {n["code"]: n["reason"] for n in frame.get("exclusions", [])}
    forced = {n["code"]: n["reason"] for n in frame.get("forced", [])}
    picked = {}
    if draw.state == Draw.State.DRAWN:
        picked = {e["code"]: (k, e) for k, e in enumerate(draw.record.record["result"], start=1)}
    out = []
    for row in frame.get("rows", []):
        code = row[0]
        out.append({"cells": row, "code": code, "excluded": excluded.get(code), "forced": forced.get(code),
                    "order": picked.get(code, (None, None))[0], "pick": picked.get(code, (None, None))[1]})
    return out


def strata_summary(draw: Draw) -> list[lottery.Stratum]:
    try:
        return lottery.plan(draw.lottery_frame, draw.lottery_parameters).strata
    except DrawError:
        return []
