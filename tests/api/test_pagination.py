"""API lists are paged (?limit, ?offset) with the total count, so a national list is never one answer."""

import pytest


def test_regions_come_a_page_at_a_time_with_the_count(world, client_as):
    c = client_as(world.province_admin)
    whole = c.get("/api/regions?limit=500").json()
    assert whole["count"] > 100 and len(whole["items"]) == min(whole["count"], 500)
    first, second = (c.get(f"/api/regions?limit=10&offset={o}").json() for o in (0, 10))
    assert [r["code"] for r in first["items"] + second["items"]] == [r["code"] for r in whole["items"][:20]]
    assert first["count"] == whole["count"]
    assert len(c.get("/api/regions").json()["items"]) == 100  # the default page


def test_submissions_are_paged_and_stay_in_scope(world, client_as):
    c = client_as(world.province_admin)
    page = c.get(f"/api/submissions?cycle={world.cycle.pk}&limit=1").json()
    assert page["count"] == 2 and [s["region"] for s in page["items"]] == ["140522"]
    assert [s["region"] for s in c.get("/api/submissions?limit=1&offset=1").json()["items"]] == ["140525"]
    assert client_as(world.outsider).get("/api/submissions").json() == {"count": 0, "items": []}


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", f"offset={2**63}"])
def test_page_bounds_are_4xx(world, client_as, query):
    assert client_as(world.province_admin).get(f"/api/regions?{query}").status_code == 422
