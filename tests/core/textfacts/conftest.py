"""Fixtures for the report-ingestion tests: seed texts, own test reports, file builders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "textfacts"
ANNOTATIONS = ROOT / "tests" / "fixtures" / "seed_annotations"


def seeds_dir() -> Path | None:
    for cand in (ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")):
        if cand.is_dir():
            return cand
    return None


@pytest.fixture(scope="session")
def seeds() -> Path:
    d = seeds_dir()
    if d is None:
        pytest.skip("shared/seeds not found beside the repository")
    return d


@pytest.fixture(scope="session")
def seed_text(seeds):
    def read(prefix: str) -> str:
        (path,) = seeds.glob(f"{prefix}_*.txt")
        return path.read_text("utf-8")

    return read


def load_annotation(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))
