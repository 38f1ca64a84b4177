"""Writing the generated tree: user edits survive, left-over files go."""

from __future__ import annotations

import json
from pathlib import Path

from splitter.generator.carry import GeneratedFile
from splitter.generator.writer import MANIFEST, write_tree

FIRST = [
    GeneratedFile("template.yaml", "a: 1\n"),
    GeneratedFile("services/a/app/models.py", "X = 1\n"),
    GeneratedFile("services/a/app/views.py", "Y = 1\n"),
]


def test_a_file_no_longer_generated_goes_with_its_empty_folders(tmp_path: Path) -> None:
    write_tree(tmp_path, FIRST)
    cache = tmp_path / "services/a/app/__pycache__"
    cache.mkdir()
    (cache / "models.cpython-311.pyc").write_bytes(b"")
    report = write_tree(tmp_path, FIRST[:1])
    assert report.removed == ("services/a/app/models.py", "services/a/app/views.py")
    assert report.stale == ()
    assert not (tmp_path / "services").exists()
    assert json.loads((tmp_path / MANIFEST).read_text()) == {
        "template.yaml": json.loads((tmp_path / MANIFEST).read_text())["template.yaml"]
    }


def test_a_folder_keeps_what_is_still_generated(tmp_path: Path) -> None:
    write_tree(tmp_path, FIRST)
    report = write_tree(tmp_path, FIRST[:2])
    assert report.removed == ("services/a/app/views.py",)
    assert (tmp_path / "services/a/app/models.py").read_text() == "X = 1\n"


def test_an_edited_file_no_longer_generated_is_kept_until_forced(tmp_path: Path) -> None:
    write_tree(tmp_path, FIRST)
    views = tmp_path / "services/a/app/views.py"
    views.write_text("Y = 2  # mine\n")
    for _ in range(2):  # reported on every run, not only the first
        report = write_tree(tmp_path, FIRST[:2])
        assert report.stale == ("services/a/app/views.py",) and report.removed == ()
        assert views.read_text() == "Y = 2  # mine\n"
    forced = write_tree(tmp_path, FIRST[:2], force=True)
    assert forced.removed == ("services/a/app/views.py",)
    assert not views.exists()


def test_a_file_the_user_deleted_is_simply_forgotten(tmp_path: Path) -> None:
    write_tree(tmp_path, FIRST)
    (tmp_path / "services/a/app/views.py").unlink()
    report = write_tree(tmp_path, FIRST[:2])
    assert report.removed == ("services/a/app/views.py",)
    assert "services/a/app/views.py" not in json.loads((tmp_path / MANIFEST).read_text())
