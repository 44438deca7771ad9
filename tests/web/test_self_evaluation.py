"""Self-scoring by area: a bad score keeps everything typed and is shown next to its field."""

from django.urls import reverse

from dutyeval.evaluation.models import ItemScore, Narrative
from dutyeval.schemes.models import Indicator


def _area_with_two_manual_items(world):
    for area in Indicator.objects.filter(scheme=world.scheme, depth=1).order_by("order"):
        items = [i for i in Indicator.objects.filter(scheme=world.scheme, rule_kind="manual", children__isnull=True)
                 .order_by("order") if i.code.startswith(area.code + ".")]
        if len(items) >= 2:
            return area, items
    raise AssertionError("the shipped scheme has an area with two manual items")


def test_an_invalid_score_keeps_every_typed_note_and_shows_its_error_beside_it(world, client_as):
    area, (first, second, *_) = _area_with_two_manual_items(world)
    c = client_as(world.county_filler)
    r = c.post(reverse("self-evaluation", args=[world.sub.pk]), {
        "area": area.code,
        f"score-{first.pk}": "1", f"note-{first.pk}": "已召开专题会议三次",
        f"score-{second.pk}": "一百", f"note-{second.pk}": "见佐证材料第3页",
        f"narrative-{area.code}": "县委县政府高度重视。",
    })
    body = r.content.decode()
    assert r.status_code == 200
    assert 'value="已召开专题会议三次"' in body and 'value="见佐证材料第3页"' in body and "县委县政府高度重视。" in body
    assert 'value="一百"' in body
    # the reason sits in the row of the item it concerns
    row = body[body.index(f'name="score-{second.pk}"'):]
    assert row.index("不是数字") < row.index("</tr>")
    assert not ItemScore.objects.filter(submission=world.sub).exists()
    assert not Narrative.objects.filter(submission=world.sub).exists()


def test_saving_one_area_leaves_the_others_alone(world, client_as):
    area, (first, *_) = _area_with_two_manual_items(world)
    other = Indicator.objects.filter(scheme=world.scheme, depth=1).exclude(pk=area.pk).first()
    c = client_as(world.county_filler)
    r = c.post(reverse("self-evaluation", args=[world.sub.pk]), {
        "area": area.code, f"score-{first.pk}": "1", f"narrative-{area.code}": "第一类",
        f"narrative-{other.code}": "这一类没有点保存，不应写入",
    })
    assert r.status_code == 302
    assert ItemScore.objects.get(submission=world.sub, indicator=first).self_score == 1
    assert list(Narrative.objects.filter(submission=world.sub).values_list("area_code", "text")) == [(area.code, "第一类")]


def test_a_post_without_an_area_writes_nothing(world, client_as):
    r = client_as(world.county_filler).post(reverse("self-evaluation", args=[world.sub.pk]), {"narrative-1": "x"})
    assert r.status_code == 302 and not Narrative.objects.exists()
