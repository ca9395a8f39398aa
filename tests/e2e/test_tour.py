"""The README's "A short tour" is `docs/tour.sh`, and it runs as written: the installed
`lrt`, the system clock, a fresh directory, dates relative to today."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from worlds.command_line import clean_env, lrt_executable

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "docs" / "tour.sh"
MARKER = "# --- the tour (README \"A short tour\") ---\n"


def tour_commands() -> str:
    """The script below its marker: what the README shows."""
    text = TOUR.read_text(encoding="utf8")
    assert text.count(MARKER) == 1
    return text.split(MARKER, 1)[1]


def readme_tour() -> str:
    """The first `sh` block under the README's heading "A short tour"."""
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    section = readme.split("\n## A short tour\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```sh\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    assert block is not None, "no ```sh block under ## A short tour"
    return block[1]


def _gnu_date() -> bool:
    found = shutil.which("date")
    return found is not None and subprocess.run(
        [found, "-d", "-21 days", "+%F"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not shutil.which("bash") or not _gnu_date(),
                    reason="the tour is a bash script using GNU date")
def test_the_tour_runs_as_written(tmp_path: Path) -> None:
    env = clean_env(PATH=f"{lrt_executable().parent}{os.pathsep}{os.environ['PATH']}",
                    TMPDIR=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    env.pop("LRT_MEETING", None)
    env.pop("LRT_KEY_FILE", None)
    env.pop("LRT_CIPHER_KEY", None)
    result = subprocess.run(["bash", str(TOUR)], cwd=tmp_path, env=env, capture_output=True,
                            text=True, encoding="utf8", timeout=600, check=False)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    assert "Traceback" not in result.stderr
    out = result.stdout
    # the second publication found nothing changed, and said so (exit 0)
    assert "already published as they are (publication 1); nothing changed" in out
    assert "are already these; nothing recorded" in out  # table rules already in force
    assert re.search(r"^ok: \d+ events checked, and the rules they follow$", out, re.M)
    assert "(current: lrt use)" in result.stderr  # the commands that left the meeting out
    [work] = [p for p in tmp_path.iterdir() if p.name.startswith("tmp.")]  # its mktemp -d
    made = {p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()}
    assert {"lrt.ics", "verslag.docx", "kamer/CHAIN.txt", "kamer/MANIFEST.sha256"} <= made
    assert any(m.startswith("openbaar/") and m.endswith("-openbaar.md") for m in made)
    # the minutes as they stood when circulated (--as-of), and as approved
    assert "Status                  concept, rondgestuurd" in out
    assert "Status                  vastgesteld, versie 2" in out


def test_the_readme_shows_exactly_the_tour() -> None:
    assert readme_tour() == tour_commands()


def test_the_tour_names_only_files_it_supplies() -> None:
    named = set(re.findall(r"\$EXAMPLES/([\w.-]+)", tour_commands()))
    assert named and all((ROOT / "docs" / "examples" / n).is_file() for n in named), named
