from pathlib import Path

import pytest
import yaml

from dutyeval.core.schemefile import SchemeFileError, library_paths
from dutyeval.schemes.models import Indicator, Scheme
from dutyeval.schemes.services import freeze, import_scheme_file

SHANXI = next(p for p in library_paths() if p.stem == "shanxi-2021-county")


def _edited_copy(tmp_path: Path, title: str) -> Path:
    data = yaml.safe_load(SHANXI.read_text("utf-8"))
    data["indicators"][0]["title"] = title
    path = tmp_path / SHANXI.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def test_loading_the_library_creates_the_indicator_tree(db):
    scheme, outcome = import_scheme_file(SHANXI)
    assert outcome == "created" and scheme.doc_number == "晋政教督〔2021〕1号"
    areas = Indicator.objects.filter(scheme=scheme, depth=1)
    leaves = Indicator.objects.filter(scheme=scheme, children__isnull=True)
    assert areas.count() >= 12 and leaves.count() >= 38
    assert sum(i.points for i in areas if i.kind == "item") == scheme.total_points
    assert Indicator.objects.filter(scheme=scheme, rule_kind="check").exists()


def test_loading_the_same_file_twice_changes_nothing(db):
    import_scheme_file(SHANXI)
    scheme, outcome = import_scheme_file(SHANXI)
    assert outcome == "unchanged" and Scheme.objects.count() == 1


def test_an_unfrozen_scheme_is_updated_in_place(db, tmp_path):
    import_scheme_file(SHANXI)
    scheme, outcome = import_scheme_file(_edited_copy(tmp_path, "新的标题"))
    assert outcome == "updated" and scheme.version == 1 and Scheme.objects.count() == 1
    assert Indicator.objects.get(scheme=scheme, code=scheme.definition["indicators"][0]["code"]).title == "新的标题"


def test_a_frozen_scheme_never_changes_a_change_makes_a_new_version(db, tmp_path):
    first, _ = import_scheme_file(SHANXI)
    freeze(first)
    before = list(Indicator.objects.filter(scheme=first).values_list("title", flat=True))
    second, outcome = import_scheme_file(_edited_copy(tmp_path, "新的标题"))
    assert outcome == "new_version" and second.version == first.version + 1
    assert list(Indicator.objects.filter(scheme=first).values_list("title", flat=True)) == before
    assert second.to_core().indicators[0].title == "新的标题"


def test_a_malformed_file_names_the_file_and_the_path(db, tmp_path):
    data = yaml.safe_load(SHANXI.read_text("utf-8"))
    data["indicators"][1]["points"] = "abc"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(SchemeFileError) as exc:
        import_scheme_file(path)
    assert "broken.yaml" in str(exc.value) and "indicators[1]" in str(exc.value)
    assert Scheme.objects.count() == 0
