"""A county user can neither read nor change another county's data, through pages or the API."""

import json

import pytest
from django.urls import reverse

from dutyeval.collection.models import DataValue
from dutyeval.collection.services import save_values


@pytest.fixture
def other_data(world):
    save_values(world.yangcheng, 2020, {"enrol_primary": 5000}, user=world.other_filler, source="entered")


def page_urls(sub):
    return [
        reverse("submission", args=[sub.pk]),
        reverse("data-area", args=[sub.pk, "finance"]),
        reverse("data-excel", args=[sub.pk]),
        reverse("data-template", args=[sub.pk]),
        reverse("self-evaluation", args=[sub.pk]),
        reverse("scorecard", args=[sub.pk]),
    ]


def test_a_county_user_cannot_open_another_countys_pages(world, client_as):
    c = client_as(world.county_filler)
    for url in page_urls(world.other_sub):
        assert c.get(url).status_code == 404, url
    for url in page_urls(world.sub):
        assert c.get(url).status_code == 200, url


def test_a_county_user_cannot_post_into_another_county(world, client_as, other_data):
    c = client_as(world.county_filler)
    r = c.post(reverse("data-area", args=[world.other_sub.pk, "compulsory"]), {"enrol_primary": "1"})
    assert r.status_code == 404
    assert DataValue.objects.get(region=world.yangcheng, element__code="enrol_primary").value == 5000
    assert c.post(reverse("submission-submit", args=[world.other_sub.pk])).status_code == 404


def test_the_province_admin_reads_but_does_not_fill_county_data(world, client_as):
    c = client_as(world.province_admin)
    assert c.get(reverse("data-area", args=[world.sub.pk, "finance"])).status_code == 200
    r = c.post(reverse("data-area", args=[world.sub.pk, "compulsory"]), {"enrol_primary": "1"})
    assert r.status_code == 403
    assert not DataValue.objects.filter(region=world.zezhou).exists()


def test_a_province_admin_elsewhere_sees_nothing(world, client_as):
    c = client_as(world.outsider)
    for url in page_urls(world.sub):
        assert c.get(url).status_code == 404
    assert c.get(reverse("cycle", args=[world.cycle.pk])).status_code == 404


def test_a_county_user_cannot_open_the_province_overview(world, client_as):
    assert client_as(world.county_filler).get(reverse("cycle", args=[world.cycle.pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(world, client):
    r = client.get(reverse("submission", args=[world.sub.pk]))
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_api_hides_other_counties(world, client_as, other_data):
    c = client_as(world.county_filler)
    assert c.get("/api/regions/140522/values/2020").status_code == 404
    codes = [r["code"] for r in c.get("/api/regions").json()["items"]]
    assert codes == ["140525"]
    assert [s["region"] for s in c.get("/api/submissions").json()["items"]] == ["140525"]
    assert c.get(f"/api/submissions/{world.other_sub.pk}").status_code == 404


def test_api_refuses_writes_into_another_county(world, client_as, other_data):
    c = client_as(world.county_filler)
    r = c.put("/api/regions/140522/values/2020", json.dumps({"values": {"enrol_primary": 1}}),
              content_type="application/json")
    assert r.status_code == 404
    assert c.post(f"/api/submissions/{world.other_sub.pk}/submit").status_code == 404
    assert DataValue.objects.get(region=world.yangcheng, element__code="enrol_primary").value == 5000


def test_api_tells_who_may_not_from_what_cannot_be_done_now(world, client_as):
    """403 when the role may never do it, 409 when the state forbids it; the state is unchanged."""
    assert client_as(world.reviewer).post(f"/api/submissions/{world.sub.pk}/submit").status_code == 403
    r = client_as(world.county_filler).post(f"/api/submissions/{world.sub.pk}/return",
                                            json.dumps({"reason": "x"}), content_type="application/json")
    assert r.status_code == 403 and "督导办管理员" in r.json()["detail"]
    r = client_as(world.province_admin).post(f"/api/submissions/{world.sub.pk}/return",
                                             json.dumps({"reason": "x"}), content_type="application/json")
    assert r.status_code == 409 and "已提交" in r.json()["detail"]  # a draft cannot be returned
    world.sub.refresh_from_db()
    assert world.sub.state == "draft"


def test_api_writes_own_county_all_or_nothing(world, client_as):
    c = client_as(world.county_filler)
    etag = c.get("/api/regions/140525/values/2020")["ETag"]
    r = c.put("/api/regions/140525/values/2020",
              json.dumps({"values": {"enrol_primary": 1200, "retention_compulsory": 120}}),
              content_type="application/json", headers={"If-Match": etag})
    assert r.status_code == 400 and r.json()[0]["field"] == "retention_compulsory"
    assert not DataValue.objects.filter(region=world.zezhou).exists()
    r = c.put("/api/regions/140525/values/2020", json.dumps({"values": {"enrol_primary": 1200}}),
              content_type="application/json", headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["written"] == 1


def test_api_requires_login(world, client):
    assert client.get("/api/regions").status_code == 401


def test_openapi_schema_lists_the_endpoints(world, client_as):
    schema = client_as(world.province_admin).get("/api/openapi.json").json()
    assert "/api/regions/{code}/values/{year}" in schema["paths"]
    assert "put" in schema["paths"]["/api/regions/{code}/values/{year}"]
