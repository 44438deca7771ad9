"""Cut a report's text into segments so figures and anomalies can be marked in the page.

A sweep over span boundaries: O((n + spans) log spans), fine for a 100 KB report with a
thousand figures. Text is returned raw; the template escapes it.
"""

from __future__ import annotations


def segments(text: str, figures: list[dict], anomalies: list[dict]) -> list[dict]:
    cuts = {0, len(text)}
    for span in (*figures, *anomalies):
        cuts.add(max(0, min(span["start"], len(text))))
        cuts.add(max(0, min(span["end"], len(text))))
    bounds = sorted(cuts)
    starts_f: dict[int, list[int]] = {}
    starts_a: dict[int, list[int]] = {}
    for i, f in enumerate(figures):
        starts_f.setdefault(f["start"], []).append(i)
    for i, a in enumerate(anomalies):
        starts_a.setdefault(a["start"], []).append(i)
    active_f: set[int] = set()
    active_a: set[int] = set()
    out: list[dict] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        active_f |= set(starts_f.get(a, ()))
        active_a |= set(starts_a.get(a, ()))
        active_f = {i for i in active_f if figures[i]["end"] > a}
        active_a = {i for i in active_a if anomalies[i]["end"] > a}
        fig = min(active_f) if active_f else None
        anoms = sorted(active_a)
        seg = {"text": text[a:b], "fig": fig, "anoms": anoms,
               "severity": _worst(anomalies, anoms), "first": fig is not None and figures[fig]["start"] == a,
               "title": "；".join(anomalies[i]["message"] for i in anoms) or _figure_title(figures, fig),
               "mapped": fig is not None and bool(figures[fig].get("element"))}
        if out and out[-1]["fig"] == fig and out[-1]["anoms"] == anoms and not seg["first"]:
            out[-1]["text"] += seg["text"]
        else:
            out.append(seg)
    return out


def _worst(anomalies: list[dict], idx: list[int]) -> str:
    sev = {anomalies[i]["severity"] for i in idx}
    return "error" if "error" in sev else ("warning" if sev else "")


def _figure_title(figures: list[dict], fig: int | None) -> str:
    if fig is None:
        return ""
    f = figures[fig]
    return f"{f['value']}{f['unit']}（{f['kind']}）" + (f" → {f['element']}" if f.get("element") else "")
