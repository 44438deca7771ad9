"""The YAML format of an evaluation scheme (评价方案) and its validating loader.

A scheme file is data, written by people who are not programmers, so the loader is strict and
talkative: it checks everything before it returns anything (types, unknown keys, the code tree,
that points add up, rules, expressions, check names, grade bands) and reports *all* problems at
once in one `SchemeFileError`, each naming the file and the path inside it, e.g.

    shanxi-2021-county.yaml: indicators[3].children[1].points: expected a number, got 'abc'

Pure: no Django. The format is documented in docs/schemes.md.

Public API:
    load_scheme(path) -> Scheme              read and validate one YAML file
    parse_scheme(data, source) -> Scheme     validate an already-parsed dict (e.g. stored JSON)
    scheme_to_dict(scheme) -> dict           canonical, JSON/YAML-safe dict; parse_scheme round-trips it
    dump_scheme(scheme) -> str               the same as YAML text
    fingerprint(scheme) -> str               sha256 of the canonical content (version excluded)
    library_paths() / load_library()         the scheme files shipped in dutyeval/schemes/library/
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from dutyeval.core.catalogue import default_catalogue
from dutyeval.core.checks import default_thresholds
from dutyeval.core.expr import parse
from dutyeval.core.scheme import RULE_KINDS, GradeBand, Indicator, Rule, Scheme

LEVELS: tuple[str, ...] = ("province", "city", "county")
INDICATOR_KINDS: tuple[str, ...] = ("item", "bonus", "deduction")
SCHOOL_LEVELS: tuple[str, ...] = ("preschool", "primary", "junior", "senior", "vocational")

# Statutory checks implemented in core/checks.py, with the parameters each accepts.


@dataclass(frozen=True)
class _Param:
    required: bool = False
    choices: tuple[str, ...] | None = None  # None: a number (or a flag, when flag is set)
    flag: bool = False


_THRESHOLD = {"threshold": _Param()}  # optional override of the check's statutory default

KNOWN_CHECKS: dict[str, dict[str, _Param]] = {
    "two_no_decrease_total": _THRESHOLD,
    "two_no_decrease_per_student": {"level": _Param(choices=("total", "each", *SCHOOL_LEVELS)), **_THRESHOLD},
    "teacher_pay_parity": {"year_offset": _Param(), **_THRESHOLD},
    "training_funds_share": _THRESHOLD,
    "per_student_public_funds": {"level": _Param(choices=SCHOOL_LEVELS), **_THRESHOLD},
    "preschool_gross_enrolment": _THRESHOLD,
    "preschool_public_share": _THRESHOLD,
    "preschool_affordable_coverage": _THRESHOLD,
    "compulsory_retention": _THRESHOLD,
    "disabled_enrolment": _THRESHOLD,
    "large_class_share": {"include_super_large": _Param(flag=True), **_THRESHOLD},
    "super_large_class_share": _THRESHOLD,
    "senior_gross_enrolment": _THRESHOLD,
    "vocational_share": {"max": _Param(), **_THRESHOLD},
    "higher_vocational_per_student": _THRESHOLD,
    "senior_schools_per_population": {"model": _Param(flag=True), **_THRESHOLD},
    # issue #13 Part B 3–4 (core/checks_duties.py)
    **dict.fromkeys(
        ("three_growths", "edu_surcharge_use", "private_compulsory_share", "after_school_coverage",
         "physical_health_pass_rate", "myopia_decrease", "safe_campus_rate", "dual_teacher_share",
         "staffing_quota", "kg_nonstaff_pay", "kg_class_size", "senior_large_class_share",
         "training_funds_pub_share"),
        _THRESHOLD,
    ),  # fmt: skip
    "public_funds_disbursed": {k: _Param() for k in ("primary", "junior", "boarding", "floor", "special")}
    | _THRESHOLD,
    "balance_cv": {"level": _Param(choices=("primary", "junior", "both")), **_THRESHOLD},
    "balance_cv_composite": {"level": _Param(choices=("primary", "junior", "both")), **_THRESHOLD},
}

# Which checks (and levels) a scheme must give a threshold for comes from thresholds.yaml
# (`value: null`, or a level missing from a mapping): ThresholdSpec.scheme_must_state.

_SCHEME_KEYS = {
    "code": True,
    "version": True,
    "title": True,
    "issuer": True,
    "doc_number": True,
    "year": True,
    "level": True,
    "total_points": True,
    "grade_bands": True,
    "indicators": True,
    "source": False,
    "notes": False,
}
_INDICATOR_KEYS = {
    "code": True,
    "title": True,
    "points": True,
    "evidence": False,
    "department": False,
    "assumed": False,
    "note": False,
    "kind": False,
    "rule": False,
    "children": False,
}
_RULE_KEYS = {"kind": True, "expression": False, "check": False, "params": False, "cap_grade": False}
_BAND_KEYS = {"name": True, "min_score": True}

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9]+$")
_REF = re.compile(r"#\{([^}]*)\}(\[\s*y\s*-\s*\d+\s*\])?")


class SchemeFileError(ValueError):
    """A scheme file (or dict) is not valid. `errors` lists every problem, one line each."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = list(errors)
        n = len(self.errors)
        head = f"{source}: {n} error{'s' if n != 1 else ''} in scheme"
        super().__init__(head + "\n" + "\n".join(f"  {e}" for e in self.errors))


# ---- reading -------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """safe_load, but a key repeated in one mapping is an error, not a silent overwrite."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str | int | float | bool | None):
            continue  # unhashable keys: SafeLoader reports them below
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        seen[key] = True
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_scheme(path: str | Path) -> Scheme:
    """Read, validate and return the scheme in a YAML file. Raises SchemeFileError."""
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeFileError(source, [f"{source}: cannot read file: {exc}"]) from exc
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        raise SchemeFileError(source, [f"{source}: {_yaml_problem(exc)}"]) from exc
    return parse_scheme(data, source)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    return f"{where}YAML syntax error: {problem}"


def parse_scheme(data: object, source: str = "scheme") -> Scheme:
    """Validate a parsed scheme dict and build the Scheme. Raises SchemeFileError listing all errors."""
    v = _Validator(source)
    scheme = v.scheme(data)
    if v.errors or scheme is None:
        raise SchemeFileError(source, v.errors or [f"{source}: invalid scheme"])
    return scheme


# ---- validation ----------------------------------------------------------------------------------


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class _Validator:
    source: str
    errors: list[str] = field(default_factory=list)
    band_names: tuple[str, ...] = ()
    codes: dict[str, str] = field(default_factory=dict)  # indicator code -> path where first seen

    def err(self, path: str, message: str) -> None:
        self.errors.append(f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}")

    # -- primitive readers: return a value, or None after recording an error --

    def mapping(self, value: object, path: str, keys: dict[str, bool]) -> dict | None:
        if not isinstance(value, dict):
            self.err(path or "(top level)", f"expected a mapping of keys, got {_describe(value)}")
            return None
        for key in value:
            if key not in keys:
                hint = difflib.get_close_matches(str(key), list(keys), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(keys)})"
                self.err(_join(path, str(key)), f"unknown key{extra}")
        for key, required in keys.items():
            if required and value.get(key) is None:
                self.err(_join(path, key), "missing (required)")
        return value

    def string(self, value: object, path: str, *, required: bool = True, code: bool = False) -> str | None:
        if value is None:
            return None if required else ""
        if code and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if code and isinstance(value, float):
            self.err(path, f"expected a string, got the number {value!r}; quote codes, e.g. '2.10'")
            return None
        if not isinstance(value, str):
            self.err(path, f"expected a string, got {_describe(value)}")
            return None
        if required and not value.strip():
            self.err(path, "must not be empty")
            return None
        return value

    def integer(self, value: object, path: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(path, f"expected a whole number, got {_describe(value)}")
            return None
        return value

    def number(self, value: object, path: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            self.err(path, f"expected a number, got {_describe(value)}")
            return None
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            d = None
        if d is None or not d.is_finite():
            self.err(path, f"expected a number, got {_describe(value)}")
            return None
        return d

    def boolean(self, value: object, path: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.err(path, f"expected true or false, got {_describe(value)}")
            return False
        return value

    def choice(
        self, value: object, path: str, choices: tuple[str, ...], default: str | None = None
    ) -> str | None:
        if value is None:
            return default
        if value not in choices:
            self.err(path, f"{_describe(value)} is not one of {', '.join(choices)}")
            return None
        return value  # type: ignore[return-value]

    def items(self, value: object, path: str, *, required: bool = True) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(path, f"expected a list, got {_describe(value)}")
            return []
        if required and not value:
            self.err(path, "must not be empty")
        return value

    # -- the scheme --

    def scheme(self, data: object) -> Scheme | None:
        top = self.mapping(data, "", _SCHEME_KEYS)
        if top is None:
            return None
        code = self.string(top.get("code"), "code")
        if code is not None and not _SLUG.match(code):
            self.err("code", f"{code!r} must be a slug: lower-case letters, digits and '-', at most 64")
        version = self.integer(top.get("version"), "version")
        if version is not None and version < 1:
            self.err("version", f"must be 1 or more, got {version}")
        title = self.string(top.get("title"), "title")
        issuer = self.string(top.get("issuer"), "issuer", required=False)
        doc_number = self.string(top.get("doc_number"), "doc_number", required=False)
        year = self.integer(top.get("year"), "year")
        if year is not None and not 1980 <= year <= 2100:
            self.err("year", f"{year} is not a plausible year")
        level = self.choice(top.get("level"), "level", LEVELS)
        total = self.number(top.get("total_points"), "total_points")
        if total is not None and total <= 0:
            self.err("total_points", f"must be positive, got {total}")
        source = self.string(top.get("source"), "source", required=False)
        notes = self.string(top.get("notes"), "notes", required=False)
        bands = self.grade_bands(top.get("grade_bands"), total)
        self.band_names = tuple(b.name for b in bands)

        indicators, counted = [], []
        raw_list = self.items(top.get("indicators"), "indicators", required="indicators" in top)
        for i, raw in enumerate(raw_list):
            ind, points, kind = self.indicator(raw, f"indicators[{i}]", parent=None)
            if ind is not None:
                indicators.append(ind)
            counted.append(points if kind == "item" else Decimal(0))
        if total is not None and raw_list and None not in counted:
            s = sum(counted, Decimal(0))
            if s != total:
                self.err(
                    "indicators", f"top-level points add up to {_fmt(s)}, but total_points is {_fmt(total)}"
                )
        if self.errors:
            return None
        return Scheme(
            code=code,  # type: ignore[arg-type]
            version=version,  # type: ignore[arg-type]
            title=title,  # type: ignore[arg-type]
            issuer=issuer or "",
            doc_number=doc_number or "",
            year=year,  # type: ignore[arg-type]
            level=level,  # type: ignore[arg-type]
            total_points=total,  # type: ignore[arg-type]
            grade_bands=tuple(bands),
            indicators=tuple(indicators),
            source=source or "",
            notes=notes or "",
        )

    def grade_bands(self, value: object, total: Decimal | None) -> list[GradeBand]:
        bands: list[GradeBand] = []
        prev: Decimal | None = None
        for i, raw in enumerate(self.items(value, "grade_bands", required=value is not None)):
            path = f"grade_bands[{i}]"
            m = self.mapping(raw, path, _BAND_KEYS)
            if m is None:
                continue
            name = self.string(m.get("name"), f"{path}.name")
            score = self.number(m.get("min_score"), f"{path}.min_score")
            if name is not None and name in (b.name for b in bands):
                self.err(f"{path}.name", f"duplicate grade band {name!r}")
            if score is not None:
                if score < 0:
                    self.err(f"{path}.min_score", f"must not be negative, got {_fmt(score)}")
                if total is not None and score > total:
                    self.err(f"{path}.min_score", f"{_fmt(score)} is above total_points {_fmt(total)}")
                if prev is not None and score >= prev:
                    self.err(
                        f"{path}.min_score",
                        f"bands must be listed highest first with falling min_score; {_fmt(score)} follows {_fmt(prev)}",
                    )
                prev = score
            if name is not None and score is not None:
                bands.append(GradeBand(name, score))
        return bands

    def indicator(
        self, raw: object, path: str, parent: str | None
    ) -> tuple[Indicator | None, Decimal | None, str | None]:
        """(indicator or None if invalid, its points if readable, its kind if readable).
        Points and kind come back even when something else is wrong, so that a parent's sum
        is still checked and every error of the file is reported in one go."""
        m = self.mapping(raw, path, _INDICATOR_KEYS)
        if m is None:
            return None, None, None
        n_errors = len(self.errors)
        code = self.string(m.get("code"), f"{path}.code", code=True)
        if code is not None:
            self.check_code(code, f"{path}.code", parent)
        title = self.string(m.get("title"), f"{path}.title")
        points = self.number(m.get("points"), f"{path}.points")
        if points is not None and points < 0:
            self.err(f"{path}.points", f"must not be negative, got {_fmt(points)} (use kind: deduction)")
        evidence = []
        for j, e in enumerate(self.items(m.get("evidence"), f"{path}.evidence", required=False)):
            s = self.string(e, f"{path}.evidence[{j}]")
            if s is not None:
                evidence.append(s)
        department = self.string(m.get("department"), f"{path}.department", required=False)
        assumed = self.boolean(m.get("assumed"), f"{path}.assumed")
        note = self.string(m.get("note"), f"{path}.note", required=False)
        kind = self.choice(m.get("kind"), f"{path}.kind", INDICATOR_KINDS, default="item")

        children: list[Indicator] = []
        child_points: list[tuple[Decimal | None, str | None]] = []
        for j, c in enumerate(self.items(m.get("children"), f"{path}.children", required=False)):
            child, cpoints, ckind = self.indicator(c, f"{path}.children[{j}]", parent=code)
            if child is not None:
                children.append(child)
            child_points.append((cpoints, ckind))
        has_children = bool(child_points)

        rule = Rule()
        if m.get("rule") is not None:
            if has_children:
                self.err(f"{path}.rule", "only leaf items carry a rule; this indicator has children")
            else:
                rule = self.rule(m["rule"], f"{path}.rule") or rule

        if kind is not None and kind != "item":
            for j, (_, ckind) in enumerate(child_points):
                if ckind is not None and ckind != kind:
                    self.err(
                        f"{path}.children[{j}].kind", f"a child of a {kind} indicator must be a {kind} too"
                    )
        counted = [p for p, k in child_points if kind != "item" or k == "item" or k is None]
        if has_children and points is not None and kind is not None and None not in counted:
            s = sum(counted, Decimal(0))  # type: ignore[arg-type]
            if s != points:
                self.err(
                    f"{path}.points",
                    f"{_fmt(points)} points for '{code}', but its children add up to {_fmt(s)}"
                    + (
                        " (bonus and deduction children are not counted)"
                        if len(counted) < len(child_points)
                        else ""
                    ),
                )
        if len(self.errors) != n_errors:
            return None, points, kind
        ind = Indicator(
            code=code,  # type: ignore[arg-type]
            title=title,  # type: ignore[arg-type]
            points=points,  # type: ignore[arg-type]
            evidence=tuple(evidence),
            rule=rule,
            children=tuple(children),
            department=department or "",
            assumed=assumed,
            note=note or "",
            kind=kind,  # type: ignore[arg-type]
        )
        return ind, points, kind

    def check_code(self, code: str, path: str, parent: str | None) -> None:
        if parent is None:
            if not _SEGMENT.match(code):
                self.err(path, f"top-level code {code!r} must be one segment of letters or digits, e.g. '3'")
        else:
            prefix = parent + "."
            if not code.startswith(prefix) or not _SEGMENT.match(code[len(prefix) :]):
                self.err(
                    path, f"code {code!r} does not fit under its parent '{parent}' (expected '{parent}.<n>')"
                )
        if code in self.codes:
            self.err(path, f"duplicate code {code!r} (first used at {self.codes[code]})")
        else:
            self.codes[code] = path

    def rule(self, raw: object, path: str) -> Rule | None:
        m = self.mapping(raw, path, _RULE_KEYS)
        if m is None:
            return None
        n_errors = len(self.errors)
        kind = self.choice(m.get("kind"), f"{path}.kind", RULE_KINDS)
        expression = self.string(m.get("expression"), f"{path}.expression", required=False) or None
        check = self.string(m.get("check"), f"{path}.check", required=False) or None
        cap_grade = self.string(m.get("cap_grade"), f"{path}.cap_grade", required=False) or None
        params = m.get("params")
        if params is None:
            params = {}
        elif not isinstance(params, dict):
            self.err(f"{path}.params", f"expected a mapping, got {_describe(params)}")
            params = {}

        manual_veto = kind == "veto" and params.get("manual") is True
        if kind == "manual":
            for key, val in (("expression", expression), ("check", check), ("cap_grade", cap_grade)):
                if val:
                    self.err(f"{path}.{key}", "a manual rule takes no " + key)
            if params:
                self.err(f"{path}.params", "a manual rule takes no params")
        elif kind == "auto":
            if not expression:
                self.err(f"{path}.expression", "an auto rule needs an expression")
            if check:
                self.err(f"{path}.check", "an auto rule takes an expression, not a check")
        elif kind == "check":
            if not check:
                self.err(f"{path}.check", "a check rule needs the name of a check")
            if expression:
                self.err(f"{path}.expression", "a check rule takes a check, not an expression")
        elif kind == "veto":
            if expression and check:
                self.err(path, "a veto takes an expression or a check, not both")
            if not expression and not check and not manual_veto:
                self.err(
                    path,
                    "a veto needs an expression or a check (or params: {manual: true} for a reviewer-confirmed veto)",
                )
            if manual_veto and (expression or check):
                self.err(f"{path}.params.manual", "a reviewer-confirmed veto takes no expression or check")
        if cap_grade and kind != "veto":
            self.err(f"{path}.cap_grade", "only a veto rule caps the grade")
        if cap_grade and self.band_names and cap_grade not in self.band_names:
            self.err(f"{path}.cap_grade", f"{cap_grade!r} is not a grade band ({', '.join(self.band_names)})")

        if expression:
            for problem in expression_problems(expression, boolean=kind == "veto"):
                self.err(f"{path}.expression", problem)
        if check:
            self.check_params(check, params, path)
        elif manual_veto:
            for key in params:
                if key != "manual":
                    self.err(f"{path}.params.{key}", "unknown parameter for a reviewer-confirmed veto")
        elif kind == "auto" and params:
            self.err(f"{path}.params", "an auto rule takes no params (put constants in the expression)")

        if len(self.errors) != n_errors or kind is None:
            return None
        return Rule(kind=kind, expression=expression, check=check, params=dict(params), cap_grade=cap_grade)

    def check_params(self, check: str, params: dict, path: str) -> None:
        spec = KNOWN_CHECKS.get(check)
        if spec is None:
            hint = difflib.get_close_matches(check, list(KNOWN_CHECKS), n=1)
            extra = f" (did you mean '{hint[0]}'?)" if hint else f"; known: {', '.join(KNOWN_CHECKS)}"
            self.err(f"{path}.check", f"unknown check {check!r}{extra}")
            return
        for key, value in params.items():
            p = spec.get(key)
            if p is None:
                allowed = ", ".join(spec) or "none"
                self.err(f"{path}.params.{key}", f"unknown parameter for check {check} (allowed: {allowed})")
            elif p.choices is not None and value not in p.choices:
                self.err(f"{path}.params.{key}", f"{_describe(value)} is not one of {', '.join(p.choices)}")
            elif p.flag:
                self.boolean(value, f"{path}.params.{key}")
            elif p.choices is None:
                self.number(value, f"{path}.params.{key}")
        for key, p in spec.items():
            if p.required and key not in params:
                self.err(f"{path}.params.{key}", f"check {check} needs this parameter")
        if "threshold" not in params:
            spec_t = default_thresholds().specs[check]
            level = params.get("level")
            if spec_t.scheme_must_state(level if isinstance(level, str) else None):
                what = (
                    f"check {check} at level {level}"
                    if spec_t.entries[0].value is not None
                    else f"check {check}"
                )
                self.err(
                    f"{path}.params.threshold",
                    f"{what} has no national standard that every region can be "
                    "held to: state the scheme's own figure as threshold (and say where it comes from in note)",
                )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f") if d == d else str(d)


# ---- expressions ---------------------------------------------------------------------------------


def expression_problems(expression: str, *, boolean: bool = False) -> list[str]:
    """Problems with one indicator expression: unknown data elements, then syntax (and, with
    `boolean`, that it is a true/false condition, as a veto needs)."""
    catalogue = default_catalogue()
    problems = []
    refs = _REF.findall(expression)
    for code, _ in refs:
        if code.strip() not in catalogue:
            hint = difflib.get_close_matches(code.strip(), list(catalogue.by_code), n=1)
            extra = f" (did you mean '{hint[0]}'?)" if hint else ""
            problems.append(f"unknown data element #{{{code}}}{extra}")
    if problems:
        return problems
    try:
        parsed = parse(expression)
    except Exception as exc:  # the parser's own error type; any failure is a bad expression
        return [f"does not parse: {exc}"]
    if boolean and getattr(parsed, "kind", "bool") != "bool":
        return ["a veto expression must be a true/false condition, e.g. #{code} > 0"]
    return []


# ---- writing, fingerprint, library ---------------------------------------------------------------


def _num_out(d: Decimal) -> int | float | str:
    """A Decimal as the plainest exact JSON/YAML value: int, else float if exact, else string."""
    if d == d.to_integral_value():
        return int(d)
    f = float(d)
    return f if Decimal(repr(f)) == d else _fmt(d)


def _rule_dict(rule: Rule) -> dict:
    out: dict = {"kind": rule.kind}
    if rule.expression:
        out["expression"] = rule.expression
    if rule.check:
        out["check"] = rule.check
    if rule.params:
        out["params"] = dict(rule.params)
    if rule.cap_grade:
        out["cap_grade"] = rule.cap_grade
    return out


def _indicator_dict(ind: Indicator, num: Callable[[Decimal], object]) -> dict:
    out: dict = {"code": ind.code, "title": ind.title, "points": num(ind.points)}
    if ind.kind != "item":
        out["kind"] = ind.kind
    if ind.assumed:
        out["assumed"] = True
    if ind.department:
        out["department"] = ind.department
    if ind.evidence:
        out["evidence"] = list(ind.evidence)
    if ind.note:
        out["note"] = ind.note
    if ind.rule != Rule():
        out["rule"] = _rule_dict(ind.rule)
    if ind.children:
        out["children"] = [_indicator_dict(c, num) for c in ind.children]
    return out


def _scheme_dict(scheme: Scheme, num: Callable[[Decimal], object]) -> dict:
    out: dict = {
        "code": scheme.code,
        "version": scheme.version,
        "title": scheme.title,
        "issuer": scheme.issuer,
        "doc_number": scheme.doc_number,
        "year": scheme.year,
        "level": scheme.level,
        "total_points": num(scheme.total_points),
        "grade_bands": [{"name": b.name, "min_score": num(b.min_score)} for b in scheme.grade_bands],
    }
    if scheme.source:
        out["source"] = scheme.source
    if scheme.notes:
        out["notes"] = scheme.notes
    out["indicators"] = [_indicator_dict(i, num) for i in scheme.indicators]
    return out


def scheme_to_dict(scheme: Scheme) -> dict:
    """The canonical dict of a scheme: plain JSON/YAML types, defaults omitted, keys in file order.
    `parse_scheme(scheme_to_dict(s))` returns a scheme equal to `s`."""
    return _scheme_dict(scheme, _num_out)


def dump_scheme(scheme: Scheme) -> str:
    return yaml.safe_dump(scheme_to_dict(scheme), allow_unicode=True, sort_keys=False, width=110)


def fingerprint(scheme: Scheme) -> str:
    """sha256 of the scheme's content, independent of YAML layout, comments, key order, number
    spelling (10 / 10.0) and defaults written out or left implicit. `version` is excluded: the
    fingerprint answers "did the content change?", so a frozen scheme whose file has a new
    fingerprint must get a new version."""
    data = _scheme_dict(scheme, _fmt)
    data.pop("version")
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


LIBRARY_DIR = Path(__file__).resolve().parent.parent / "schemes" / "library"


def library_paths() -> list[Path]:
    """The scheme files shipped with DutyEval, sorted by name."""
    return sorted(LIBRARY_DIR.glob("*.yaml"))


def load_library() -> list[Scheme]:
    """Every shipped scheme; raises SchemeFileError for all broken files at once."""
    schemes, errors = [], []
    for path in library_paths():
        try:
            schemes.append(load_scheme(path))
        except SchemeFileError as exc:
            errors.extend(exc.errors)
    if errors:
        raise SchemeFileError("library", errors)
    return schemes
