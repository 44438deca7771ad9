"""评价地图 (#11 item 6): what colours the map, who may open it, the trend across years, and the
boundary files built from the npm package."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from dutyeval.evaluation import mapdata
from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.recompute import compute, store
from dutyeval.regions import geo


@pytest.fixture
def reviewed(world, fill_all_self_scores):
    """泽州县 accepted (its review complete), 阳城县 still a draft."""
    fill_all_self_scores(world.sub, world.county_filler)
    workflow.submit_submission(world.sub, world.county_filler)
    workflow.accept_submission(world.sub, world.province_admin)
    store(world.cycle, compute(world.cycle))
    return world


def _map_data(response) -> dict:
    html = response.content.decode()
    start = html.index(">", html.index('id="map-data"')) + 1
    return json.loads(html[start:html.index("</script>", start)])


def test_scores_and_grades_count_complete_reviews_only(reviewed):
    w = reviewed
    regions = w.shanxi.__class__.objects.all()
    totals = mapdata.values(w.cycle, mapdata.metric_of(w.cycle, "total"), regions)
    assert totals["140525"] == w.sub.result.total and totals["140522"] is None  # a draft is 未完成, not 0
    grades = mapdata.values(w.cycle, mapdata.metric_of(w.cycle, "grade"), regions)
    assert grades == {"140525": w.sub.result.grade, "140522": None}
    leaf = w.sub.result.rows.filter(leaf=True).order_by("code").first()
    items = mapdata.values(w.cycle, mapdata.metric_of(w.cycle, f"item:{leaf.code}"), regions)
    assert items == {"140525": leaf.score, "140522": None}


def test_a_data_element_is_read_for_the_cycles_data_year(world, record_history):
    record_history(world.zezhou, 2020, {"edu_exp_budget": "1000"})
    record_history(world.zezhou, 2019, {"edu_exp_budget": "900"})
    record_history(world.yangcheng, 2020, {"edu_exp_budget": "3000"})
    metric = mapdata.metric_of(world.cycle, "element:edu_exp_budget")
    got = mapdata.values(world.cycle, metric, world.shanxi.__class__.objects.all())
    assert got == {"140525": Decimal("1000"), "140522": Decimal("3000")}


def test_city_means_average_the_counties_with_a_value():
    got = mapdata.city_means({"140525": Decimal("10"), "140522": Decimal("21"), "140521": None,
                              "140421": Decimal("7.5")})
    assert got == {"140500": Decimal("15.50"), "140400": Decimal("7.50")}


def test_the_trend_of_a_figure_sits_beside_the_mean_of_the_cycles_regions(world, record_history):
    for year, mine, other in ((2018, "100", "300"), (2019, "110", "330"), (2020, "121", "0")):
        record_history(world.zezhou, year, {"edu_exp_budget": mine})
        record_history(world.yangcheng, year, {"edu_exp_budget": other})
    points = mapdata.trend(world.cycle, mapdata.metric_of(world.cycle, "element:edu_exp_budget"), world.zezhou)
    assert [(p["year"], p["value"], p["mean"]) for p in points] == [
        (2018, Decimal("100"), Decimal("200.00")), (2019, Decimal("110"), Decimal("220.00")),
        (2020, Decimal("121"), Decimal("60.50"))]


def test_the_score_trend_reads_the_offices_earlier_cycles(reviewed, fill_all_self_scores):
    w = reviewed
    from dutyeval.evaluation.models import Cycle, Submission

    earlier = Cycle.objects.create(name="2020年评价", scheme=w.scheme, year=2020, data_year=2019, root=w.shanxi)
    old = Submission.objects.create(cycle=earlier, region=w.zezhou)
    fill_all_self_scores(old, w.county_filler)
    workflow.submit_submission(old, w.county_filler)
    workflow.accept_submission(old, w.province_admin)
    store(earlier, compute(earlier))
    old.refresh_from_db()
    points = mapdata.trend(w.cycle, mapdata.metric_of(w.cycle, "total"), w.zezhou)
    assert [(p["year"], p["value"]) for p in points] == [(2020, old.result.total), (2021, w.sub.result.total)]
    assert points[0]["mean"] == old.result.total.quantize(Decimal("0.01"))  # the only ranked region that year


def test_the_office_opens_the_map_and_the_evaluated_region_does_not(reviewed, client_as):
    w = reviewed
    url = reverse("cycle-map", args=[w.cycle.pk])
    page = client_as(w.province_admin).get(url, {"metric": "total", "region": "140525"})
    assert page.status_code == 200
    data = _map_data(page)
    by_code = {f["name"]: f["value"] for f in data["data"]}
    assert by_code == {"140525": str(w.sub.result.total), "140522": None}
    assert data["selected"] == "140525" and "评分表" in page.content.decode()
    assert client_as(w.reviewer).get(url).status_code == 200
    for user in (w.county_filler, w.other_filler, w.outsider):
        assert client_as(user).get(url).status_code == 404


def test_unknown_metric_and_places_outside_the_cycle_fall_back(reviewed, client_as):
    w = reviewed
    page = client_as(w.province_admin).get(reverse("cycle-map", args=[w.cycle.pk]),
                                           {"metric": "element:no_such", "at": "130000", "by": "city"})
    data = _map_data(page)
    assert data["metric"] == "total" and page.context["place"].code == "140000"
    assert data["drill"] == "city" and {f["name"] for f in data["data"]} >= {"140500"}


def _encode(points: list[tuple[int, int]], offset: tuple[int, int]) -> str:
    """ECharts' compression, written out to test the decoder against."""
    out, px, py = [], *offset
    for x, y in points:
        for d in (x - px, y - py):
            out.append(chr(((d << 1) ^ (d >> 31)) + 64))
        px, py = x, y
    return "".join(out)


def test_compressed_rings_decode_to_the_points_they_encode():
    pts = [(115000, 36000), (115010, 35990), (114990, 36020), (115000, 36000)]
    geometry = {"type": "Polygon", "coordinates": [_encode(pts, (115000, 36000))], "encodeOffsets": [[115000, 36000]]}
    ring = geo.decode(geometry)["coordinates"][0]
    assert ring == [[x / 1024, y / 1024] for x, y in pts]


def test_the_build_writes_province_and_city_files_with_the_region_codes(tmp_path):
    package = tmp_path / "node_modules" / geo.PACKAGE / "geojson"
    (package / "shape-with-internal-borders").mkdir(parents=True)
    (package / "shape-only").mkdir()
    square = [[[112.0, 35.0], [112.5, 35.0], [112.5, 35.5], [112.0, 35.5], [112.0, 35.0]]]
    counties = {"type": "FeatureCollection", "features": [
        {"id": "140525", "type": "Feature", "properties": {"name": "泽州县"}, "geometry": {"type": "Polygon", "coordinates": square}},
        {"id": "140522", "type": "Feature", "properties": {"name": "阳城县"},
         "geometry": {"type": "MultiPolygon", "coordinates": [square]}}]}
    outline = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "晋城"}, "geometry": {"type": "Polygon", "coordinates": square}}]}
    (package / "shape-with-internal-borders" / "shan1_xi1_jin4_cheng2.geojson").write_text(json.dumps(counties))
    (package / "shape-only" / "shan1_xi1_jin4_cheng2.geojson").write_text(json.dumps(outline))
    out = tmp_path / "geo"
    assert geo.build(tmp_path / "node_modules", out) == 3
    city = json.loads((out / "140500.json").read_text())
    assert [f["id"] for f in city["features"]] == ["140522", "140525"]
    assert json.loads((out / "140000.json").read_text())["features"][0]["id"] == "140500"
    assert len(json.loads((out / "140000-counties.json").read_text())["features"]) == 2


def test_boundary_files_are_served_to_signed_in_users_by_name_only(world, client_as, client, settings, tmp_path):
    settings.GEO_DIR = tmp_path
    (tmp_path / "140500.json").write_text('{"type": "FeatureCollection", "features": []}')
    (tmp_path / "secret.json").write_text("{}")
    office = client_as(world.county_filler)  # geography is public: any signed-in user may load it
    got = office.get(reverse("geo", args=["140500"]))
    assert got.status_code == 200 and got.json()["type"] == "FeatureCollection"
    assert "max-age=86400" in got["Cache-Control"]
    assert office.get(reverse("geo", args=["140000-counties"])).status_code == 404  # not built
    assert office.get("/geo/secret.json").status_code == 404  # only region codes name a file
    assert office.get("/geo/..%2Fsecret.json").status_code == 404
    client.logout()
    assert client.get(reverse("geo", args=["140500"])).status_code == 302
