"""The schools import fed zip bombs, forged sizes, DTDs and junk: a message, never a 500, nothing written."""

import io
import zipfile

import pytest
from collection.hostile_xlsx import bad_inputs, sheet_xml, xlsx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dutyeval.regions.models import School
from dutyeval.regions.services import import_schools


def _bomb() -> bytes:
    """2 MB on disk, 2 GiB of spaces inflated: the schools import read it whole before."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            chunk = b" " * (1 << 20)
            for _ in range(2048):
                f.write(chunk)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_inflated(world):
    with pytest.raises(ValueError, match="解压后过大"):
        import_schools(_bomb(), "schools.xlsx", within="14")
    assert School.objects.count() == 0


def test_a_dtd_is_refused(world):
    dtd = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = xlsx({"Sheet1": sheet_xml([["code", "name", "type", "county_code"], ["&b;", "x", "小学", 140525]],
                                     prolog=dtd)})
    with pytest.raises(ValueError, match="DTD"):
        import_schools(data, "schools.xlsx", within="14")


def test_only_the_first_thousand_errors_are_kept(world):
    rows = "".join(f"11400{i:05d},学校{i},大学,140525\n" for i in range(3000))
    result = import_schools(f"code,name,type,county_code\n{rows}".encode(), "s.csv", within="14")
    assert result.error_count == 3000 and len(result.errors) == 1000
    assert School.objects.count() == 0


def test_csv_the_parser_chokes_on_is_a_message(world):
    data = b'code,name,type,county_code\n"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(ValueError, match="第 2 行"):
        import_schools(data, "s.csv", within="14")


def test_other_file_types_are_refused_by_the_page(world, client_as):
    c = client_as(world.province_admin)
    r = c.post(reverse("schools"), {"file": SimpleUploadedFile("s.pdf", b"%PDF-1.4 junk")})
    assert r.status_code == 200 and "CSV" in r.content.decode()


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    files = bad_inputs(tmp_path_factory.mktemp("bad-inputs"))
    bomb = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    bomb.write_bytes(_bomb())
    # the same hostile files once more under a name the import treats as a spreadsheet or a CSV
    extra = {}
    for name, path in files.items():
        for suffix in (".xlsx", ".csv"):
            extra[f"{name}{suffix}"] = path
    return {**files, **extra, "bomb.xlsx": bomb}


def _names():
    from collection.hostile_xlsx import TOOL, hostile_workbooks

    tool = ["binary.txt", "empty.txt", "gb18030.txt", "huge.txt", "junk.pdf", "laughs.docx", "long-line.txt",
            "malformed.docx", "nested-numbers.txt", "not-a-docx.docx", "utf16.txt", "utf8-bom.txt", "zipbomb.docx"]
    names = (tool if TOOL.exists() else []) + sorted(hostile_workbooks())
    return [*names, *(f"{n}.xlsx" for n in names), *(f"{n}.csv" for n in names), "bomb.xlsx"]


@pytest.mark.parametrize("name", _names())
def test_every_hostile_file_is_refused_cleanly_by_the_schools_import(world, client_as, hostile_dir, name):
    c = client_as(world.province_admin)
    data = hostile_dir[name].read_bytes()
    r = c.post(reverse("schools"), {"file": SimpleUploadedFile(name, data)})
    assert r.status_code < 500
    assert "导入成功" not in r.content.decode()
    assert School.objects.count() == 0


def test_a_good_workbook_still_imports(world):
    data = xlsx({"Sheet1": sheet_xml([["code", "name", "type", "county_code"],
                                      ["1140000001", "甲小学", "小学", 140525]])})
    assert import_schools(data, "s.xlsx", within="14").created == 1
