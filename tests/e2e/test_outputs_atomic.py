"""Outputs for others are whole or absent (issue 11, point 9): `minutes publish` and
`export parliament` write beside their target and move the files into place at the end;
a publication is recorded only once its files are written; a refused command leaves
nothing behind; an existing file is replaced only with --force."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from lrt_app import parliament

from worlds.command_line import Cli, clean_env, lrt_executable, store_fingerprint
from .test_woo_cli import M1, setup

PERIOD = ("--table", "LRT", "--from", "2023-11-01", "--to", "2024-01-31")
NAMES = [f"{M1}-inventaris.md", f"{M1}-openbaar.html", f"{M1}-openbaar.md",
         f"{M1}-openbaar.pdf", f"{M1}-openbaar.xml"]  # the PDF/A and its DiWoo metadata


@pytest.fixture
def woo(cli: Cli, tmp_path: Path) -> Cli:
    setup(cli, tmp_path)
    return cli


def leftovers(directory: Path) -> list[str]:
    """Staging directories left anywhere below `directory`."""
    return sorted(str(p) for p in directory.rglob("*.lrt-*")) + \
        sorted(str(p) for p in directory.rglob(".lrt-stage-*"))


def publications(cli: Cli) -> int:
    return sum(1 for *_, topic, _ in cli.store.stored_events()
               if topic == "lrt.Publication.Published")


def test_a_target_that_cannot_be_written_records_no_publication(woo: Cli, tmp_path):
    out = tmp_path / "openbaar"
    (out / f"{M1}-openbaar.html").mkdir(parents=True)  # the repro: one file cannot be made
    for force in ((), ("--force",)):
        woo.refused("minutes", "publish", M1, "--out", str(out), *force,
                    fragments=("openbaar.html exists and is not a file",))
    assert sorted(p.name for p in out.iterdir()) == [f"{M1}-openbaar.html"]
    woo.refused("minutes", "publish", M1, "--out", "/proc/lrt-openbaar", code=2,
                fragments=("'--out'", "cannot write in /proc/lrt-openbaar"))
    assert publications(woo) == 0 and leftovers(tmp_path) == []


def test_a_write_failing_midway_records_nothing_and_leaves_nothing(woo: Cli, tmp_path,
                                                                   monkeypatch):
    """The files are written (staged) before the publication is recorded: a disk that
    fills up on the second file leaves no record and no file."""
    write = parliament.Staging.write
    calls = []

    def failing(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise parliament.OutputError(f"cannot write {self.out / name}: No space left "
                                         "on device")
        write(self, name, content)

    monkeypatch.setattr(parliament.Staging, "write", failing)
    out = tmp_path / "nieuw" / "openbaar"
    woo.refused("minutes", "publish", M1, "--out", str(out), code=2,
                fragments=("No space left on device",))
    assert calls == [f"{M1}-openbaar.md", f"{M1}-openbaar.html"]
    assert not (tmp_path / "nieuw").exists() and publications(woo) == 0
    monkeypatch.undo()
    woo.ok("minutes", "publish", M1, "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == NAMES and publications(woo) == 1


def test_the_files_are_whole_before_the_publication_is_recorded(woo: Cli, tmp_path,
                                                                monkeypatch):
    seen = {}
    commit = parliament.Staging.commit

    def checked(self):
        seen["recorded"] = publications(woo)
        seen["staged"] = sorted(os.listdir(self.stage))
        seen["out"] = self.out.exists()
        commit(self)

    monkeypatch.setattr(parliament.Staging, "commit", checked)
    out = tmp_path / "openbaar"
    woo.ok("minutes", "publish", M1, "--out", str(out))
    # recorded after the files were staged (the record is made between), before the move
    assert seen == {"recorded": 1, "staged": NAMES, "out": False}
    assert sorted(p.name for p in out.iterdir()) == NAMES and leftovers(tmp_path) == []


def test_a_refused_publication_leaves_no_out_directory(woo: Cli, tmp_path):
    out = tmp_path / "a" / "b" / "openbaar"
    woo.refused("minutes", "publish", M1, "--out", str(out), user="spies",
                fragments=("may not",))
    woo.refused("minutes", "publish", "LRT-1999-01-01", "--out", str(out),
                fragments=("no minutes",))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["verslag.md"]


def test_existing_published_files_are_replaced_only_with_force(woo: Cli, tmp_path):
    out = tmp_path / "openbaar"
    out.mkdir()
    (out / f"{M1}-openbaar.md").write_text("van iemand anders", encoding="utf8")
    (out / "ander-verslag.md").write_text("blijft", encoding="utf8")
    woo.refused("minutes", "publish", M1, "--out", str(out),
                fragments=(f"{M1}-openbaar.md exists; --force replaces it",))
    assert (out / f"{M1}-openbaar.md").read_text(encoding="utf8") == "van iemand anders"
    woo.ok("minutes", "publish", M1, "--out", str(out), "--force")
    assert "Liesbeth Spies" in (out / f"{M1}-openbaar.md").read_text(encoding="utf8")
    assert (out / "ander-verslag.md").read_text(encoding="utf8") == "blijft"
    assert sorted(p.name for p in out.iterdir()) == sorted(["ander-verslag.md", *NAMES])


def test_an_export_replaces_an_earlier_export_only_with_force(woo: Cli, tmp_path):
    out = tmp_path / "export"
    first = woo.json("export", "parliament", *PERIOD, "--out", str(out), user="woo")
    woo.refused("export", "parliament", *PERIOD, "--out", str(out), user="woo",
                fragments=("not an empty directory; --force replaces an earlier export",))
    woo.ok("minutes", "correct", M1, "--item", "1", "--point", "1", "--text",
           "De voorzitter opent.", "--reason", "Verschrijving")
    second = woo.json("export", "parliament", *PERIOD, "--out", str(out), "--force",
                      user="woo")
    assert second["chain_length"] > first["chain_length"]
    assert "De voorzitter opent." in (out / f"{M1}.md").read_text(encoding="utf8")
    assert sorted(p.name for p in out.iterdir()) == sorted([*second["files"],
                                                            "MANIFEST.sha256"])
    # a directory holding anything an export did not write is never replaced
    (out / "notities.txt").write_text("van mij", encoding="utf8")
    woo.refused("export", "parliament", *PERIOD, "--out", str(out), "--force", user="woo",
                fragments=("is not an earlier export (notities.txt",))
    assert (out / "notities.txt").exists() and leftovers(tmp_path) == []


def test_export_files_appear_only_at_the_final_rename(woo: Cli, tmp_path, monkeypatch):
    seen = {}
    commit = parliament.Staging.commit

    def checked(self):
        seen["out"] = self.out.exists()
        seen["stage beside it"] = self.stage.parent == self.out.parent
        seen["staged"] = sorted(os.listdir(self.stage))
        commit(self)

    monkeypatch.setattr(parliament.Staging, "commit", checked)
    out = tmp_path / "export"
    data = woo.json("export", "parliament", *PERIOD, "--out", str(out), user="woo")
    assert seen == {"out": False, "stage beside it": True,
                    "staged": sorted([*data["files"], "MANIFEST.sha256"])}
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs sha256sum")
def test_a_killed_export_leaves_nothing_or_a_complete_export(woo: Cli, tmp_path):
    """SIGKILL a real `lrt export parliament` while it works: the target holds nothing
    (the work stays in a hidden directory beside it), never a part."""
    if woo.store.kind != "sqlite":
        pytest.skip("one store is enough: the files are the same")
    lrt = lrt_executable()
    killed_midway = 0
    for attempt in range(6):
        out = tmp_path / f"export-{attempt}"
        process = subprocess.Popen(
            [str(lrt), "--db", woo.store.url, "--as", "woo", "export", "parliament",
             *PERIOD, "--out", str(out)], env=clean_env(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if list(tmp_path.glob(f".{out.name}.lrt-*")):
                time.sleep(0.002 * attempt)  # into the work, a little further each time
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.001)
        process.wait()
        if process.returncode == -signal.SIGKILL and not out.exists():
            killed_midway += 1
        if out.exists():  # finished before the kill: then complete
            check = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=out,
                                   capture_output=True, text=True)
            assert check.returncode == 0, check.stdout + check.stderr
    assert killed_midway >= 1
    assert store_fingerprint(woo.db)  # the store is untouched and readable
