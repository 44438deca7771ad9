from dutyeval.regions.models import Region
from dutyeval.regions.services import load_regions


def test_it_loads_shanxi_with_parent_links(db):
    counts = load_regions(province="14")
    assert counts["created"] == Region.objects.count()
    shanxi = Region.objects.get(code="140000")
    assert shanxi.level == "province" and shanxi.name == "山西省"
    jincheng = Region.objects.get(code="140500")
    assert jincheng.parent == shanxi and jincheng.level == "city"
    zezhou = Region.objects.get(code="140525")
    assert zezhou.name == "泽州县" and zezhou.parent == jincheng and zezhou.level == "county"
    assert Region.objects.filter(level="city", parent=shanxi).count() == 11


def test_it_is_idempotent(db):
    load_regions(province="14")
    n = Region.objects.count()
    again = load_regions(province="14")
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == n


def test_counties_directly_under_a_province_hang_on_the_province(db):
    load_regions(province="42")
    xiantao = Region.objects.get(code="429004")
    assert xiantao.parent.code == "420000"


def test_it_refreshes_a_changed_name(db):
    load_regions(province="14")
    Region.objects.filter(code="140525").update(name="旧名")
    assert load_regions(province="14")["updated"] == 1
    assert Region.objects.get(code="140525").name == "泽州县"
