import io

from openpyxl import Workbook

from dutyeval.regions.models import School
from dutyeval.regions.services import import_schools


def test_it_imports_a_utf8_csv(world):
    data = "code,name,type,county_code\n1140000001,泽州县实验小学,小学,140525\n1140000002,泽州一中,完全中学,140525\n"
    result = import_schools(data.encode(), "schools.csv")
    assert result.errors == [] and result.created == 2
    assert School.objects.get(code="1140000002").type == "complete_secondary"


def test_it_reads_chinese_headers_in_gb18030(world):
    data = "学校标识码,学校名称,学校类型,所属县代码\n1140000003,巴公镇中心幼儿园,幼儿园,140525\n".encode("gb18030")
    assert import_schools(data, "学校.csv").created == 1


def test_one_bad_row_writes_nothing_and_names_every_problem(world):
    data = (
        "code,name,type,county_code\n"
        "1140000001,甲小学,小学,140525\n"
        "1140000002,乙学校,大学,140525\n"
        "1140000001,丙小学,小学,999999\n"
    )
    result = import_schools(data.encode(), "schools.csv")
    assert School.objects.count() == 0
    reasons = {(e["row"], e["field"]) for e in result.errors}
    assert reasons == {(3, "type"), (4, "code"), (4, "county_code")}


def test_it_imports_excel(world):
    wb = Workbook()
    ws = wb.active
    ws.append(["code", "name", "type", "county_code"])
    ws.append(["1140000009", "李寨九年一贯制学校", "九年一贯制", 140525])
    buf = io.BytesIO()
    wb.save(buf)
    result = import_schools(buf.getvalue(), "schools.xlsx")
    assert result.errors == [] and School.objects.get(code="1140000009").type == "nine_year"


def test_a_missing_column_is_reported(world):
    result = import_schools(b"code,name\n1,a\n", "s.csv")
    assert result.errors[0]["field"] == "type"


def test_a_province_admin_imports_only_within_the_province(world, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_as(world.province_admin)
    header = "code,name,type,county_code\n"
    mixed = header + "1,冀小学,小学,130102\n2,晋小学,小学,140525\n"
    r = c.post("/schools/", {"file": SimpleUploadedFile("s.csv", mixed.encode())})
    assert "不在本级管辖范围内" in r.content.decode() and School.objects.count() == 0
    own = header + "2,晋小学,小学,140525\n"
    c.post("/schools/", {"file": SimpleUploadedFile("s.csv", own.encode())})
    assert School.objects.get().code == "2"
    assert client_as(world.county_filler).get("/schools/").status_code == 404
