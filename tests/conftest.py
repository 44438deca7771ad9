"""Shared fixtures: a small Shanxi world with named personas (see STYLE.md §10).

    山西省 140000  ── province_admin, reviewer
      晋城市 140500
        泽州县 140525  ── county_filler   (submission: draft)
        阳城县 140522  ── other_filler    (submission: draft)
    河北省 130000   ── outsider (a province admin elsewhere)
"""

from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

from dutyeval.core.schemefile import library_paths

# Property tests check behaviour, not speed: on a shared 2-core CI machine one example may take
# longer than Hypothesis' default 200 ms deadline, which is noise, not a failure.
hypothesis_settings.register_profile("dutyeval", deadline=None)
hypothesis_settings.load_profile("dutyeval")

PASSWORD = "Test@2021pass"


@pytest.fixture
def world(db, django_user_model):
    from django.contrib.auth.hashers import make_password

    from dutyeval.collection.services import sync_catalogue
    from dutyeval.evaluation.models import Cycle, Submission
    from dutyeval.regions.models import Region
    from dutyeval.regions.services import load_regions
    from dutyeval.schemes.services import freeze, import_scheme_file

    load_regions(province="14")
    load_regions(province="13")
    sync_catalogue()
    scheme, _ = import_scheme_file(next(p for p in library_paths() if p.stem == "shanxi-2021-county"))
    freeze(scheme)
    shanxi = Region.objects.get(code="140000")
    zezhou = Region.objects.get(code="140525")
    yangcheng = Region.objects.get(code="140522")
    hebei = Region.objects.get(code="130000")
    cycle = Cycle.objects.create(name="山西省2021年评价", scheme=scheme, year=2021, data_year=2020, root=shanxi)
    hashed = make_password(PASSWORD)

    def user(username, role, region, **kw):
        return django_user_model.objects.create(
            username=username, role=role, region=region, password=hashed, display_name=username, **kw
        )

    class World:
        pass

    w = World()
    w.scheme, w.cycle, w.shanxi, w.zezhou, w.yangcheng, w.hebei = scheme, cycle, shanxi, zezhou, yangcheng, hebei
    w.province_admin = user("province_admin", "province_admin", shanxi)
    w.reviewer = user("reviewer", "reviewer", shanxi)
    w.county_filler = user("county_filler", "county_coordinator", zezhou)
    w.other_filler = user("other_filler", "county_coordinator", yangcheng)
    w.outsider = user("outsider", "province_admin", hebei)
    w.sub = Submission.objects.create(cycle=cycle, region=zezhou)
    w.other_sub = Submission.objects.create(cycle=cycle, region=yangcheng)
    return w


@pytest.fixture
def record_history(world):
    """Figures of earlier years, loaded as the office loads them: a county writes only its open year."""
    from dutyeval.collection.services import correct_values

    def record(region, year, raw):
        return correct_values(region, year, raw, user=world.province_admin, reason="历史数据导入")

    return record


@pytest.fixture
def persona_password():
    return PASSWORD


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def evidence_media(settings, tmp_path_factory):
    """Evidence files go to a temporary MEDIA_ROOT, unless the test already chose one."""
    from pathlib import Path

    if Path(settings.MEDIA_ROOT) == Path(settings.VAR_DIR) / "uploads":
        settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def attach_all_evidence(evidence_media):
    """Give every item that requires evidence (佐证材料) one PDF, so the submission may be submitted.

    The records are written directly (one real file on disk, shared): the upload path itself is
    tested in tests/evidence; here only speed matters (the concurrency tests attach to 20 counties).
    """
    import hashlib

    from evidence.samples import pdf

    from dutyeval import uploads
    from dutyeval.evidence import services
    from dutyeval.evidence.models import Evidence
    from dutyeval.schemes.models import Indicator

    data = pdf()

    def attach(sub, user):
        stored = uploads.store_stream(data, services.FOLDER, "", max_bytes=len(data), quota=len(data), used=0,
                                      what="佐证材料")
        leaves = Indicator.objects.filter(scheme_id=sub.cycle.scheme_id, children__isnull=True)
        Evidence.objects.bulk_create(
            Evidence(submission=sub, indicator=i, filename=f"{i.code}佐证材料.pdf", stored_name=stored.name,
                     content_type="application/pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                     uploaded_by=user)
            for i in leaves if services.requires_evidence(i)
        )

    return attach


@pytest.fixture
def record_cover(evidence_media):
    """Record the 报送文件 (文号, date, issuer and a sealed PDF) of a submission."""
    from datetime import date

    from evidence.samples import pdf

    from dutyeval.evaluation.cover import record_cover_document

    def record(sub, user, number="泽政办函〔2021〕12号"):
        return record_cover_document(sub, user, number=number, day=date(2021, 10, 20),
                                     issuer=f"{sub.region.name}人民政府办公室", approval=f"经{sub.region.name}人民政府同意",
                                     upload=pdf(), filename="报送文件.pdf")

    return record


@pytest.fixture
def fill_all_self_scores(attach_all_evidence, record_cover):
    """Give every manual item a self score, every item that needs it a piece of evidence
    (attach_all_evidence) and the submission its 报送文件 (record_cover), so it may be submitted."""
    from dutyeval.evaluation import services

    def fill(sub, user, evidence=True, cover=True):
        entries = {i.pk: (str(i.points), "") for i in services.manual_leaves(sub) if i.rule_kind == "manual"}
        assert services.save_self_scores(sub, user, entries) == []
        if evidence:
            attach_all_evidence(sub, user)
        if cover:
            record_cover(sub, user)

    return fill


@pytest.fixture
def fill_template():
    """Write values into the 填报值 column of a downloaded Excel template; returns the new bytes."""
    import io

    from openpyxl import load_workbook

    def fill(source, entries: dict[str, object]) -> bytes:
        wb = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source)
        for ws in wb.worksheets[1:]:
            for row in ws.iter_rows(min_row=3):
                if row[0].value in entries:
                    row[3].value = entries[row[0].value]
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    return fill
