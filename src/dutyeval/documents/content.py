"""Read a cycle's data into the plain facts core.documents.compose assembles, every figure a Fig
whose source says where it comes from: the data value (element, region, year, value, origin, who
entered it and when) or the rule and figures that computed it, with a link to the page showing it."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.urls import reverse

from dutyeval.collection.models import DataValue
from dutyeval.core.catalogue import default_catalogue
from dutyeval.core.documents.compose import (
    AreaFacts,
    CaseFacts,
    CycleFacts,
    FindingFacts,
    ItemFacts,
    RegionFacts,
    ResultFacts,
)
from dutyeval.core.documents.model import Fig, fig
from dutyeval.evaluation.models import Cycle, CycleStage, ItemScore, Narrative, Submission
from dutyeval.evaluation.recompute import result_items
from dutyeval.evaluation.scorecard import build_scorecard
from dutyeval.rectification.models import Finding
from dutyeval.schemes.models import Indicator

COMPLETE = (Submission.State.ACCEPTED, Submission.State.LOCKED)
WHO = {"auto": "数据自动计算", "self": "自评（尚未复核）", "reviewer": "评审专家", "none": "尚未评分"}


class DocumentRefused(Exception):
    """A document that cannot be generated from the data as it stands; the message says why, in Chinese."""


def review_complete(sub: Submission) -> bool:
    return sub.state in COMPLETE and hasattr(sub, "result")


def cycle_facts(cycle: Cycle) -> CycleFacts:
    root = cycle.root
    province_level = root.level == "province"
    stage = CycleStage.objects.filter(cycle=cycle, kind=CycleStage.Kind.RECTIFICATION).first()
    return CycleFacts(
        name=cycle.name,
        year=cycle.year,
        data_year=cycle.data_year,
        scheme_title=cycle.scheme.title,
        scheme_number=cycle.scheme.doc_number,
        total_points=cycle.scheme.total_points,
        office=f"{root.name}人民政府教育督导委员会办公室",
        office_short=("省" if province_level else "市") + "政府教育督导委员会办公室",
        level_word="县级" if cycle.level == "county" else "市级",
        unit_word="县（市、区）" if cycle.level == "county" else "市",
        grade_names=[b["name"] for b in cycle.scheme.grade_bands],
        rectification_deadline=stage.ends if stage else None,
    )


def _when(dt) -> str:
    return dt.strftime("%Y-%m-%d %H:%M") if dt else ""


def _value_sources(sub: Submission, codes_years: set[tuple[str, int]]) -> dict[tuple[str, int], dict]:
    cat = default_catalogue()
    years = {y for _, y in codes_years}
    codes = {c for c, _ in codes_years}
    out = {}
    rows = DataValue.objects.filter(
        region=sub.region, year__in=years, element__code__in=codes
    ).select_related("element", "author")
    for v in rows:
        area = v.element.area if v.element.area in cat.areas else None
        url = (
            reverse("data-area", kwargs={"pk": sub.pk, "area": area}) + f"#f-{v.element.code}" if area else ""
        )
        out[(v.element.code, v.year)] = {
            "kind": "value",
            "element": v.element.code,
            "name": v.element.name,
            "region": sub.region.code,
            "region_name": sub.region.name,
            "year": v.year,
            "value": format(v.value.normalize(), "f"),
            "unit": v.element.unit,
            "origin": v.get_source_display(),
            "who": str(v.author) if v.author else "—",
            "when": _when(v.updated),
            "url": url,
        }
    return out


def _year_kind(code: str) -> str:
    cat = default_catalogue()
    return cat[code].year_kind if code in cat else "finance"


def _dec(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def region_facts(sub: Submission, *, with_result: bool) -> RegionFacts:
    card = build_scorecard(sub)
    scorecard_url = reverse("scorecard", kwargs={"pk": sub.pk})
    wanted = {(f["code"], int(f["year"])) for row in card.rows for f in row.figures}
    values = _value_sources(sub, wanted)
    narratives = dict(Narrative.objects.filter(submission=sub).values_list("area_code", "text"))
    notes = dict(ItemScore.objects.filter(submission=sub).values_list("indicator__code", "reviewer_note"))
    latest: dict[str, dict] = {}
    for row in card.rows:
        for h in row.history:  # newest first
            key = "self" if h["who"].startswith("自评") else "review"
            latest.setdefault(f"{row.ind.code}:{key}", h)
    result = card.result if with_result else None
    raw_items = result_items(card.result) if card.result else {}  # one query: the leaves of this region's result
    areas: list[AreaFacts] = []
    current: AreaFacts | None = None
    leaves_self: dict[str, Decimal] = {}
    for row in card.rows:
        ind: Indicator = row.ind
        if ind.depth == 1:
            current = AreaFacts(
                code=ind.code,
                title=ind.title,
                points=ind.points,
                narrative=narratives.get(ind.code, ""),
                items=[],
            )
            if result is not None and row.score is not None:
                current.subtotal = fig(
                    row.score,
                    "分",
                    {
                        "kind": "subtotal",
                        "indicator": ind.code,
                        "title": ind.title,
                        "rule": "本方面各项得分之和",
                        "url": scorecard_url,
                    },
                    suffix=False,
                )
            areas.append(current)
            continue
        if not row.is_leaf or current is None:
            continue
        item = ItemFacts(
            code=ind.code,
            title=ind.title,
            points=ind.points,
            rule_kind=ind.rule_kind,
            department=ind.department,
        )
        if row.self_score is not None:
            h = latest.get(f"{ind.code}:self")
            item.self_score = fig(
                row.self_score,
                "分",
                {
                    "kind": "self_score",
                    "indicator": ind.code,
                    "title": ind.title,
                    "region_name": sub.region.name,
                    "who": h["who"].removeprefix("自评 ") if h else "—",
                    "when": _when(h["when"]) if h else "",
                    "rule": "县级自评得分",
                    "url": reverse("self-evaluation", kwargs={"pk": sub.pk}),
                },
                suffix=False,
            )
            leaves_self[ind.code] = row.self_score
        if result is not None:
            item.reviewer_note = notes.get(ind.code) or ""
            if row.score is not None:
                h = latest.get(f"{ind.code}:review")
                item.score = fig(
                    row.score,
                    "分",
                    {
                        "kind": "score",
                        "indicator": ind.code,
                        "title": ind.title,
                        "region_name": sub.region.name,
                        "who": WHO.get(row.who, row.who)
                        + (f" {h['who'].removeprefix('评审 ')}" if h and row.who == "reviewer" else ""),
                        "when": _when(h["when"])
                        if h and row.who == "reviewer"
                        else _when(result.computed_at),
                        "rule": row.rule,
                        "explanation": row.explanation,
                        "url": scorecard_url,
                    },
                    suffix=False,
                )
        elif ind.rule_kind in ("auto", "check") and row.score is not None:
            item.score = fig(
                row.score,
                "分",
                {
                    "kind": "score",
                    "indicator": ind.code,
                    "title": ind.title,
                    "who": WHO["auto"],
                    "rule": row.rule,
                    "explanation": row.explanation,
                    "url": scorecard_url,
                },
                suffix=False,
            )
        if ind.rule_kind in ("auto", "check", "veto"):
            verdict = row.verdict
            item.verdict = {"adjusted": "pass" if row.score == ind.points else "fail"}.get(verdict, verdict)
            inputs = []
            for f in row.figures:
                src = values.get((f["code"], int(f["year"]))) or {
                    "kind": "value",
                    "element": f["code"],
                    "name": f["name"],
                    "region": sub.region.code,
                    "region_name": sub.region.name,
                    "year": f["year"],
                    "value": f["value"],
                    "unit": f["unit"],
                    "origin": "未找到数据记录",
                    "who": "—",
                    "when": "",
                    "url": "",
                }
                inputs.append(src)
                item.figures.append(fig(_dec(f["value"]), f["unit"], src))
                item.figure_years.append(int(f["year"]))
                item.figure_names.append(f["name"])
                item.figure_year_kinds.append(_year_kind(f["code"]))
            raw = raw_items.get(ind.code, {})
            if raw.get("value") is not None:
                value = Decimal(str(round(raw["value"], 4)))
                item.computed = fig(
                    value,
                    raw.get("unit", ""),
                    {
                        "kind": "computed",
                        "indicator": ind.code,
                        "title": ind.title,
                        "rule": row.rule,
                        "explanation": row.explanation,
                        "standard_source": row.source,
                        "inputs": inputs,
                        "url": scorecard_url,
                    },
                )
                comparison = raw.get("comparison", "")
                item.standard = comparison.split("，", 1)[1] if "，" in comparison else ""
        current.items.append(item)
    # the self subtotal per area, and the self total, from the self scores of the leaves
    for a in areas:
        s = sum((leaves_self.get(i.code, Decimal(0)) for i in a.items), Decimal(0))
        a.self_subtotal = fig(
            s,
            "分",
            {
                "kind": "self_subtotal",
                "indicator": a.code,
                "title": a.title,
                "rule": "本方面各项自评得分之和",
                "url": scorecard_url,
            },
            suffix=False,
        )
    self_total = fig(
        card.self_total,
        "分",
        {
            "kind": "self_total",
            "rule": "各项自评得分之和",
            "region_name": sub.region.name,
            "url": scorecard_url,
        },
        suffix=False,
    )
    # a department field may name several (县教育局、县财政局): count each once per item
    depts = Counter(d.strip() for a in areas for i in a.items for d in i.department.split("、") if d.strip())
    res = None
    if result is not None:
        # the rank among the regions whose review is complete, in the order of the stored ranking
        # (the ranking rules, veto caps included, live in evaluation; incomplete regions take no place)
        ranks = list(
            result.__class__.objects.filter(
                submission__cycle_id=sub.cycle_id, submission__state__in=[s.value for s in COMPLETE]
            ).values_list("rank", flat=True)
        )
        ranked = len(ranks)
        place = 1 + sum(1 for x in ranks if x < result.rank)
        res = ResultFacts(
            total=fig(
                result.total,
                "分",
                {
                    "kind": "result",
                    "rule": "总分 = 各项得分之和（评审分优先于自评分，自动计算项按数据核验）；不低于0分",
                    "region_name": sub.region.name,
                    "when": _when(result.computed_at),
                    "url": scorecard_url,
                },
                suffix=False,
            ),
            grade=result.grade,
            grade_before_veto=result.grade_before_veto,
            rank=Fig(
                text=str(place),
                value=str(place),
                unit="名",
                source={
                    "kind": "result",
                    "rule": f"评审完成的{ranked}个区域中的名次（按总分竞争排名，并列同名次；"
                    f"全部区域排名第{result.rank}）",
                    "region_name": sub.region.name,
                    "when": _when(result.computed_at),
                    "url": reverse("results", kwargs={"pk": sub.cycle_id}),
                },
            ),
            vetoes=list(result.vetoes),
            ranked=ranked,
        )
    cover = getattr(sub, "cover", None)
    return RegionFacts(
        code=sub.region.code,
        name=sub.region.name,
        city=sub.region.parent.name if sub.region.parent else "",
        state_label=sub.get_state_display(),
        areas=areas,
        self_total=self_total,
        departments=[d for d, _ in depts.most_common()],
        result=res,
        cover_number=cover.number if cover else "",
        cover_issuer=cover.issuer if cover else "",
        cover_date=cover.date if cover else None,
    )


def complete_submissions(cycle: Cycle):
    return (
        Submission.objects.filter(cycle=cycle, state__in=COMPLETE, result__isnull=False)
        .select_related("region__parent", "result", "cycle__scheme")
        .order_by("region__code")
    )


def confirmed_findings(sub: Submission) -> list[FindingFacts]:
    """The region's rectification list as the office confirmed it (drafts and withdrawn ones are
    the office's working state and never go out), in the list's order."""
    url = reverse("rect-region", kwargs={"pk": sub.pk})
    out = []
    rows = Finding.objects.filter(cycle=sub.cycle_id, region=sub.region_id, state=Finding.State.CONFIRMED)
    for f in rows.select_related("confirmed_by").order_by("order", "pk"):
        source = {
            "kind": "finding",
            "region_name": sub.region.name,
            "rule": f"整改问题清单（{f.get_source_display()}，督导办已确认）",
            "who": str(f.confirmed_by) if f.confirmed_by else "",
            "when": _when(f.confirmed_at),
            "url": url,
        }
        figures = [
            (
                f"{x.get('year')}年{x.get('name')}" if x.get("year") else str(x.get("name")),
                fig(_dec(x["value"]), x.get("unit") or "", source),
            )
            for x in f.figures or []
            if x.get("value") not in (None, "")
        ]
        out.append(FindingFacts(theme=f.theme, text=f.text, figures=figures))
    return out


def typical_cases(cycle: Cycle, subs: list[Submission], per_region: int = 3) -> list[CaseFacts]:
    """The narratives the office chose; none chosen yet: each complete region's longest ones (系统预选)."""
    from .models import TypicalCase

    chosen = list(
        TypicalCase.objects.filter(cycle=cycle)
        .select_related("narrative__submission__region")
        .order_by("narrative__submission__region__code", "narrative__area_code")
    )
    grouped: dict[str, CaseFacts] = {}
    if chosen:
        for c in chosen:
            region = c.narrative.submission.region.name
            grouped.setdefault(region, CaseFacts(region=region, texts=[])).texts.append(
                c.narrative.text.strip()
            )
        return list(grouped.values())
    for sub in subs:
        texts = sorted(
            (n.text.strip() for n in Narrative.objects.filter(submission=sub) if n.text.strip()),
            key=len,
            reverse=True,
        )[:per_region]
        if texts:
            grouped[sub.region.name] = CaseFacts(region=sub.region.name, texts=texts)
    return list(grouped.values())
