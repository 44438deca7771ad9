"""Optimistic concurrency: a stale form or API write never silently reverts another session's edit.

Found in review: the data form re-posted every field of an area, so a form opened before another
session's save wrote the old values back over it.
"""

from django.urls import reverse

from dutyeval.collection.models import DataValue
from dutyeval.collection.services import save_values


def _value(world, code):
    row = DataValue.objects.filter(region=world.zezhou, element__code=code, year=2020).first()
    return row.value if row else None


def _form(client, world):
    """The area form as the browser has it: every field with its shown and original value."""
    import re

    body = client.get(reverse("data-area", args=[world.sub.pk, "compulsory"])).content.decode()
    fields = dict(re.findall(r'name="([a-z0-9_\-]+)" value="([^"]*)"', body))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_a_stale_form_does_not_revert_an_edit_to_another_field(world, client_as):
    save_values(world.zezhou, 2020, {"enrol_primary": 100, "enrol_junior": 50}, user=world.county_filler,
                source="entered")
    c = client_as(world.county_filler)
    stale = _form(c, world)
    # another session changes 初中在校生 after this form was opened
    save_values(world.zezhou, 2020, {"enrol_junior": 60}, user=world.county_filler, source="entered")
    stale["enrol_primary"] = "110"
    r = c.post(reverse("data-area", args=[world.sub.pk, "compulsory"]), stale)
    assert r.status_code == 302
    assert _value(world, "enrol_primary") == 110 and _value(world, "enrol_junior") == 60


def test_two_writers_of_the_same_field_the_second_sees_the_first_and_decides(world, client_as):
    save_values(world.zezhou, 2020, {"enrol_primary": 100}, user=world.county_filler, source="entered")
    c = client_as(world.county_filler)
    stale = _form(c, world)
    save_values(world.zezhou, 2020, {"enrol_primary": 120}, user=world.county_filler, source="entered")
    stale["enrol_primary"] = "130"
    url = reverse("data-area", args=[world.sub.pk, "compulsory"])
    r = c.post(url, stale)
    body = r.content.decode()
    assert r.status_code == 200 and "已被他人修改" in body and "改为 120" in body and "时为 100" in body
    assert _value(world, "enrol_primary") == 120
    # the page now carries the current value as the original: saving again is a decision to overwrite
    again = {k: v for k, v in _form_from(body).items()}
    assert again["enrol_primary"] == "130" and again["orig-enrol_primary"] == "120"
    assert c.post(url, again).status_code == 302
    assert _value(world, "enrol_primary") == 130


def _form_from(body):
    import re

    fields = dict(re.findall(r'name="([a-z0-9_\-]+)" value="([^"]*)"', body))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_the_same_change_made_twice_is_not_a_conflict(world, client_as):
    c = client_as(world.county_filler)
    stale = _form(c, world)
    save_values(world.zezhou, 2020, {"enrol_primary": 120}, user=world.county_filler, source="entered")
    stale["enrol_primary"] = "120"
    assert c.post(reverse("data-area", args=[world.sub.pk, "compulsory"]), stale).status_code == 302


def test_the_api_needs_the_current_etag(world, client_as):
    c = client_as(world.county_filler)
    url = "/api/regions/140525/values/2020"
    put = lambda body, **h: c.put(url, body, content_type="application/json", headers=h)  # noqa: E731
    assert put({"values": {"enrol_primary": 1}}).status_code == 428
    etag = c.get(url)["ETag"]
    r = put({"values": {"enrol_primary": 100}}, **{"If-Match": etag})
    assert r.status_code == 200 and r.json()["etag"] != etag
    # a second writer still holding the first ETag is refused and told the current one
    r = put({"values": {"enrol_primary": 999}}, **{"If-Match": etag})
    assert r.status_code == 412 and r.json()["etag"] == c.get(url)["ETag"]
    assert _value(world, "enrol_primary") == 100
