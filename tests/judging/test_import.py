"""Imported scores: JSON rows or an Excel file, all rows or none, the file's hash recorded."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest

from audit.models import AuditEvent
from judging.models import ImportBatch, ImportedScore
from tests.judging.conftest import make_scene

pytestmark = pytest.mark.django_db

IMPORT_ROUND = {"key": "data", "name": "日常服务数据", "kinds": ["case"], "method": "import", "weight": 100}


@pytest.fixture
def scene(tree, submitter):
    return make_scene(tree, submitter, rounds=[IMPORT_ROUND], entries=3)


def url(scene):
    return f"/api/v1/campaigns/{scene.campaign.pk}/rounds/data/scores"


def workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["申报编号", "分数"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_json_rows_are_imported_with_their_hash(scene, client_for):
    rows = [{"nomination": e.pk, "score": 80 + i} for i, e in enumerate(scene.entries)]

    response = client_for(scene.committee).post(url(scene), {"scores": rows}, format="json")

    assert response.status_code == 200, response.content
    assert dict(ImportedScore.objects.values_list("nomination_id", "score")) == {
        e.pk: 80 + i for i, e in enumerate(scene.entries)
    }
    assert len(ImportBatch.objects.get().sha256) == 64
    assert AuditEvent.objects.filter(action="judging.scores_imported").count() == 1


def test_one_bad_row_refuses_them_all_naming_it(scene, client_for):
    rows = [{"nomination": scene.entries[0].pk, "score": 80}, {"nomination": scene.entries[1].pk, "score": 101},
            {"nomination": 999999, "score": 50}]  # fmt: skip

    response = client_for(scene.committee).post(url(scene), {"scores": rows}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"scores[1]", "scores[2]"}
    assert not ImportedScore.objects.exists()


def test_an_excel_file_is_imported_and_its_sha256_kept(scene, client_for):
    content = workbook([(e.pk, 70.5) for e in scene.entries])

    response = client_for(scene.committee).post(url(scene), {"file": io.BytesIO(content)}, format="multipart")

    assert response.status_code == 200, response.content
    assert ImportBatch.objects.get().sha256 == hashlib.sha256(content).hexdigest()
    assert ImportedScore.objects.count() == 3


def test_a_bad_excel_row_is_named_by_its_line(scene, client_for):
    content = workbook([(scene.entries[0].pk, 70), (scene.entries[1].pk, "九十")])

    response = client_for(scene.committee).post(url(scene), {"file": io.BytesIO(content)}, format="multipart")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["rows[3]"]
    assert not ImportedScore.objects.exists()


def test_not_an_excel_file_is_a_400_and_a_judge_may_not_import(scene, client_for):
    garbage = client_for(scene.committee).post(url(scene), {"file": io.BytesIO(b"not a zip")}, format="multipart")
    judge = client_for(scene.judges[0]).post(url(scene), {"scores": []}, format="json")

    assert garbage.status_code == 400
    assert "file" in garbage.json()["errors"]
    assert judge.status_code == 403
