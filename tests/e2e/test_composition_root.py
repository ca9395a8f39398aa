"""One composition root (`lrt_app.bootstrap.build`): every face builds the application
there, with its recorder hooks; the demo store's views are written with its events."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import lrt
from cli.session import Session
from lrt_app.bootstrap import build
from lrt_app.clock import SettableClock
from projections.catch_up import open_read_model
from projections.read_model import ReadModel

from worlds.command_line import at

ROOT = Path(__file__).resolve().parents[2]
FACES = ("cli", "bench", "lrt_app", "web")


def caught_up(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many events each catch-up applied (a catch-up is the only caller of `process`;
    a command's own transaction writes through `apply`)."""
    applied: list[int] = []
    process = ReadModel.process

    def counted(self: ReadModel, name: str, batch: Sequence[Any]) -> int:
        applied.append(len(batch))
        return process(self, name, batch)

    monkeypatch.setattr(ReadModel, "process", counted)
    return applied


def test_the_demo_store_writes_its_views_with_its_events(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    applied = caught_up(monkeypatch)
    db = str(tmp_path / "demo.sqlite")
    result = CliRunner().invoke(lrt, ["--db", db, "demo"], obj=Session(db=db))
    assert result.exit_code == 0, (result.output, result.exception)
    assert "approved at LRT-2023-12-01" in result.stdout
    # the demo's views (read at its end) needed no catch-up: every command wrote them
    assert sum(applied) == 0, applied
    app = build(db)
    try:
        events = app.recorder.max_notification_id()
        assert events > 90
        assert open_read_model(app).max_tracking_id(app.name) == events
    finally:
        app.close()


def test_a_new_store_from_the_root_projects_its_first_command(tmp_path: Path) -> None:
    db = str(tmp_path / "new.sqlite")
    app = build(db, clock=SettableClock(at("2023-10-02 09:00")), initialising=True)
    try:
        app.initialise(admin="sec", organisation="JenV", organisation_name="JenV")
        assert open_read_model(app).max_tracking_id(app.name) == 3  # no catch-up ran
    finally:
        app.close()


def test_without_the_hook_the_views_wait_for_a_catch_up(tmp_path: Path) -> None:
    db = str(tmp_path / "new.sqlite")
    app = build(db, clock=SettableClock(at("2023-10-02 09:00")), initialising=True,
                project_on_save=False)
    try:
        app.initialise(admin="sec", organisation="JenV", organisation_name="JenV")
        assert not open_read_model(app).max_tracking_id(app.name)
    finally:
        app.close()


def test_the_cli_opens_its_store_through_the_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lrt_app.bootstrap

    built: list[dict[str, Any]] = []

    def recorded(db: str | None, **options: Any) -> Any:
        built.append({"db": db, **options})
        return build(db, **options)

    monkeypatch.setattr(lrt_app.bootstrap, "build", recorded)
    db = str(tmp_path / "lrt.sqlite")
    clock = SettableClock(at("2023-10-02 09:00"))
    runner = CliRunner()
    init = runner.invoke(lrt, ["init", "--admin", "sec", "--organisation", "JenV",
                               "--organisation-name", "JenV"], obj=Session(db=db, clock=clock))
    assert init.exit_code == 0, init.output
    added = runner.invoke(lrt, ["org", "add", "VNG", "VNG"],
                          obj=Session(db=db, user="sec", clock=clock))
    assert added.exit_code == 0, added.output
    assert [(b["db"], b["initialising"]) for b in built] == [(db, True), (db, False)]
    assert all(b["project_on_save"] for b in built)


def _builds_lrt(path: Path) -> list[int]:
    """The lines where a module calls `Lrt(...)` itself."""
    tree = ast.parse(path.read_text(encoding="utf8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "Lrt"]


def test_no_face_builds_the_application_by_hand() -> None:
    found = {str(path.relative_to(ROOT)): lines
             for face in FACES for path in sorted((ROOT / face).rglob("*.py"))
             if path.name != "bootstrap.py" and (lines := _builds_lrt(path))}
    assert found == {}
