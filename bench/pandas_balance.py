"""The end-to-end baseline of bench/national.py: `dutyeval balance FILE --json` as a competent
pandas user would write it.

    python bench/pandas_balance.py SCHOOLS.csv [--no-schools] [--orjson] > out.json

One `read_csv` (C parser), whole-frame vectorised arithmetic (`groupby(...).transform/sum` over
all counties at once, never county by county), verdicts with `np.where`, records with
`to_dict("records")` / `tolist()`, and `json.dumps` (the C encoder: no `indent`, which would
force the pure-Python one) — or orjson with `--orjson`, to show what the encoder alone is worth.

It writes the same figures as the CLI (coefficients, county values, SDs, verdicts, per-school
values and standards met) but not the Chinese reason and problem texts, so it does a little less
work than the CLI; bench/national.py checks that both agree. Everything is self-contained: the
standards are repeated here as a script would have them.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

# code, per (100 = per hundred pupils), primary and junior standards (STANDARDS §1.1)
INDICATORS = [
    ("teachers_above_degree", 100, 4.2, 5.3),
    ("backbone_teachers", 100, 1.0, 1.0),
    ("pe_art_teachers", 100, 0.9, 0.9),
    ("teaching_area_m2", 1, 4.5, 5.8),
    ("sports_area_m2", 1, 7.5, 10.2),
    ("equipment_value_yuan", 1, 2000.0, 2500.0),
    ("multimedia_rooms", 100, 2.3, 2.4),
]
LEVELS = {"primary": 0, "小学": 0, "junior": 1, "初中": 1}
CV_MAX, COMPOSITE_MAX = np.array([0.50, 0.45]), np.array([0.65, 0.55])
EPS = 1e-9
VERDICT = np.array(["insufficient", "fail", "pass"])  # index verdict + 1


def balance(path: str, with_schools: bool) -> dict:
    cols = [c for c, *_ in INDICATORS]
    df = pd.read_csv(
        path,
        encoding="utf-8-sig",
        dtype={"county_code": str, "school_code": str, "level": str},
        thousands=",",
    )
    df["row"] = np.arange(2, len(df) + 2)
    level = df["level"].str.strip().map(LEVELS)
    if level.isna().any():
        raise SystemExit(f"{path}: unknown level in rows {(df.index[level.isna()] + 2).tolist()[:10]}")
    df["level"] = level.astype(np.int8)
    students = df["students"].astype(float)
    res = df[cols].astype(float)

    invalid = (
        res.isna().any(axis=1)
        | (res < 0).any(axis=1)
        | students.isna()
        | (students < 0)
        | df.duplicated(["county_code", "level", "school_code"], keep=False)
    )
    use = ~invalid & (students != 0)
    df["w"] = students.where(use, 0.0)
    keys = ["county_code", "level"]
    grp = df.groupby(keys, sort=True)
    P = grp["w"].transform("sum")
    std = {c: np.where(df["level"] == 0, p, j) for c, _, p, j in INDICATORS}
    out = pd.DataFrame(index=df.index)
    xbar_cols, met_cols, share_cols = {}, [], []
    for c, per, *_ in INDICATORS:
        r = res[c].where(use, 0.0)
        x = (r * per / students).where(use)
        xbar = r.groupby([df["county_code"], df["level"]]).transform("sum") * per / P
        out[f"x_{c}"] = x
        out[f"d_{c}"] = (df["w"] / P * (x - xbar) ** 2).where(use, 0.0)
        out[f"r_{c}"] = r
        xbar_cols[c] = xbar
        share = (x / std[c]).where(use, 0.0)
        share_cols.append(share)
        met_cols.append(use & (share >= 1 - EPS))
    met = pd.concat(met_cols, axis=1)
    n_met = met.sum(axis=1)
    low = pd.concat(share_cols, axis=1).min(axis=1)
    meets = use & (n_met >= 6) & (low >= 0.85 - EPS)
    out["county_code"], out["level"], out["w"] = df["county_code"], df["level"], df["w"]
    out["invalid"], out["use"], out["below"] = invalid, use, use & ~meets
    g = out.groupby(keys, sort=True).sum(numeric_only=True)
    sizes = df.groupby(keys, sort=True).size()

    lv = g.index.get_level_values("level").to_numpy()
    Pg = g["w"].to_numpy()
    cv_cols, verdict_fail = [], (g["below"].to_numpy() > 0)
    unknown_any = np.zeros(len(g), bool)
    indicators = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for c, per, p, j in INDICATORS:
            xb = np.where(Pg > 0, g[f"r_{c}"].to_numpy() * per / Pg, np.nan)
            sd = np.where(Pg > 0, np.sqrt(g[f"d_{c}"].to_numpy()), np.nan)
            known = np.isfinite(xb) & (xb > 0)
            cv = np.where(known, sd / xb, np.nan)
            ok = known & (cv <= CV_MAX[lv] + EPS)
            verdict_fail |= known & ~ok
            unknown_any |= ~known
            cv_cols.append(cv)
            indicators.append((c, np.where(lv == 0, p, j), xb, sd, cv, ok, known))
    n_invalid, n_used = g["invalid"].to_numpy(), g["use"].to_numpy()
    quality = np.where(verdict_fail | unknown_any, 0, 1)
    quality = np.where((n_invalid > 0) | (n_used == 0), -1, quality)
    cvs = np.column_stack(cv_cols)
    comp_known = np.isfinite(cvs).all(axis=1) & (n_invalid == 0) & (n_used > 0)
    composite = np.where(comp_known, np.nan_to_num(cvs).mean(axis=1), np.nan)
    basic = np.where(comp_known, np.where(composite <= COMPOSITE_MAX[lv] + EPS, 1, 0), -1)

    def nums(a, nd=6):
        return [None if not np.isfinite(v) else v for v in np.round(a, nd).tolist()]

    per_ind = [
        (
            c,
            s.tolist(),
            nums(xb),
            nums(sd),
            nums(cv),
            [bool(o) if k else None for o, k in zip(ok, kn, strict=True)],
        )
        for c, s, xb, sd, cv, ok, kn in indicators
    ]
    comp = nums(composite)
    groups = pd.DataFrame(
        {
            "county_code": g.index.get_level_values("county_code"),
            "level": np.where(lv == 0, "primary", "junior"),
            "schools": sizes.to_numpy(),
            "schools_used": n_used.astype(int),
            "schools_below_standard": g["below"].to_numpy().astype(int),
            "students": Pg.astype(np.int64),
            "quality_verdict": VERDICT[quality + 1],
            "basic_verdict": VERDICT[basic + 1],
        }
    ).to_dict("records")
    for i, rec in enumerate(groups):
        rec["indicators"] = [
            {"code": c, "standard": s[i], "county_value": xb[i], "sd": sd[i], "cv": cv[i], "cv_pass": ok[i]}
            for c, s, xb, sd, cv, ok in per_ind
        ]
        rec["composite_cv"] = comp[i]

    if with_schools:
        order = np.lexsort((df["level"].to_numpy(), df["county_code"].to_numpy()))
        sch = pd.DataFrame(
            {
                "school_code": df["school_code"].fillna("").to_numpy()[order],
                "row": df["row"].to_numpy()[order],
                "students": students.to_numpy()[order],
                "status": np.where(invalid, "invalid", np.where(use, "ok", "excluded"))[order],
            }
        )
        recs = sch.to_dict("records")
        vals = np.round(out[[f"x_{c}" for c, *_ in INDICATORS]].to_numpy(), 4)[order].tolist()
        mets = met.to_numpy()[order].tolist()
        ok_s = use.to_numpy()[order]
        n_met_s, meets_s = n_met.to_numpy()[order].tolist(), meets.to_numpy()[order].tolist()
        for k, rec in enumerate(recs):
            if rec["students"] != rec["students"]:
                rec["students"] = None
            if ok_s[k]:
                rec.update(values=vals[k], met=mets[k], standards_met=n_met_s[k], meets_standard=meets_s[k])
            else:
                rec.update(values=[None] * 7, met=[None] * 7, standards_met=None, meets_standard=None)
        bounds = np.concatenate([[0], np.cumsum(sizes.to_numpy())]).tolist()
        for i, rec in enumerate(groups):
            rec["school_list"] = recs[bounds[i] : bounds[i + 1]]
    return {"file": path, "groups": groups}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("--no-schools", dest="schools", action="store_false")
    ap.add_argument("--orjson", action="store_true")
    args = ap.parse_args()
    doc = balance(args.csv, args.schools)
    if args.orjson:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(doc) + b"\n")
    else:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
