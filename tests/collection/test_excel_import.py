import io
import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from dutyeval.collection.excel import build_template
from dutyeval.collection.models import DataValue, ImportAttempt
from dutyeval.collection.services import import_excel, save_values

MAX = 5 * 1024 * 1024


def _template(world, values=None, previous=None):
    return build_template("140525", "泽州县", 2020, values or {}, previous or {})


def test_the_template_has_units_and_last_years_values(world):
    wb = load_workbook(io.BytesIO(_template(world, previous={"edu_exp_budget": Decimal("98765.4321")})))
    assert wb.sheetnames[0] == "填写说明" and "教育投入" in wb.sheetnames
    ws = wb["教育投入"]
    assert [c.value for c in ws[2]][:5] == ["代码", "数据项", "单位", "2020年填报值", "2019年数值（参考）"]
    row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "edu_exp_budget")
    assert row[2] == "万元" and row[4] == 98765.4321


def test_a_good_upload_writes_every_value(world, fill_template):
    data = fill_template(_template(world), {"enrol_primary": 12000, "edu_exp_budget": "51234.5678", "retention_compulsory": 98.2})
    attempt = import_excel(world.zezhou, 2020, data, "t.xlsx", user=world.county_filler, max_bytes=MAX)
    assert attempt.ok and attempt.written == 3
    v = DataValue.objects.get(region=world.zezhou, year=2020, element__code="edu_exp_budget")
    assert v.value == Decimal("51234.5678") and v.source == "imported" and v.author == world.county_filler


def test_one_bad_row_writes_nothing_and_lists_every_error(world, fill_template):
    data = fill_template(
        _template(world),
        {"enrol_primary": 12000, "retention_compulsory": 109.74, "enrol_junior": "很多", "edu_exp_budget": 5000},
    )
    attempt = import_excel(world.zezhou, 2020, data, "t.xlsx", user=world.county_filler, max_bytes=MAX)
    assert not attempt.ok
    assert DataValue.objects.filter(region=world.zezhou).count() == 0
    by_field = {e["field"]: e for e in attempt.errors}
    assert set(by_field) == {"retention_compulsory", "enrol_junior"}
    assert by_field["retention_compulsory"]["sheet"] == "义务教育" and by_field["retention_compulsory"]["row"] > 2
    assert "100%" in by_field["retention_compulsory"]["reason"]
    assert ImportAttempt.objects.get(pk=attempt.pk).errors == attempt.errors


def test_a_part_above_a_stored_whole_is_caught(world, fill_template):
    save_values(world.zezhou, 2020, {"enrol_preschool": 1000}, user=world.county_filler, source="entered")
    data = fill_template(_template(world), {"enrol_preschool_public": 1500})
    attempt = import_excel(world.zezhou, 2020, data, "t.xlsx", user=world.county_filler, max_bytes=MAX)
    assert not attempt.ok and attempt.errors[0]["field"] == "enrol_preschool_public"


def test_another_countys_template_is_refused(world):
    data = build_template("140522", "阳城县", 2020, {}, {})
    attempt = import_excel(world.zezhou, 2020, data, "t.xlsx", user=world.county_filler, max_bytes=MAX)
    assert not attempt.ok and "140522" in attempt.errors[0]["reason"]


def test_junk_and_zip_bombs_are_refused_clearly(world):
    junk = import_excel(world.zezhou, 2020, b"\x00\x01 not excel", "t.xlsx", user=world.county_filler, max_bytes=MAX)
    assert not junk.ok and "Excel" in junk.errors[0]["reason"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/big.xml", b"0" * (120 * 1024 * 1024))
    bomb = import_excel(world.zezhou, 2020, buf.getvalue(), "t.xlsx", user=world.county_filler, max_bytes=MAX)
    assert not bomb.ok and "过大" in bomb.errors[0]["reason"]
    broken = import_excel(world.zezhou, 2020, b"PK\x03\x04garbage", "t.xlsx", user=world.county_filler, max_bytes=MAX)
    assert not broken.ok


def test_changes_are_audited_with_old_and_new_values(world):
    from dutyeval.audit.models import AuditLog

    save_values(world.zezhou, 2020, {"enrol_primary": 100}, user=world.county_filler, source="entered")
    save_values(world.zezhou, 2020, {"enrol_primary": 120}, user=world.county_filler, source="entered")
    log = AuditLog.objects.filter(action="collection.values.change").first()
    old, new = log.data["changes"]["enrol_primary"]
    assert Decimal(old) == 100 and Decimal(new) == 120
    assert log.actor == world.county_filler and log.region == world.zezhou


def test_the_template_says_which_school_year_a_school_year_figure_is(world):
    """The sheet's year is a finance year: a school-year figure names its school year, a finance one does not."""
    wb = load_workbook(io.BytesIO(_template(world)))
    rows = {r[0]: r for ws in wb.worksheets[1:] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["enrol_total"][5] == "填2020/2021学年数据"
    assert rows["gross_enrol_preschool"][5].startswith("填2020/2021学年数据；")
    assert "学年" not in (rows["edu_exp_budget"][5] or "")
