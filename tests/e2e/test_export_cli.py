"""`lrt export parliament`: one public document per meeting with approved minutes, an index,
the chain head and a manifest that `sha256sum -c` checks alone; as of an earlier record time
it exports what was approved then; mistakes write nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from worlds.command_line import Cycle

from .test_documents_print import Text, body_text, pdf_facts, squeeze

PERIOD = ("--table", "LRT", "--from", "2023-11-01", "--to", "2024-01-31")


def sha256sum_check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=directory,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def exported(cycle: Cycle, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("export") / "lrt-2023"
    data = cycle.cli.json("export", "parliament", *PERIOD, "--out", str(out), user="woo")
    return out, data


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs sha256sum")
def test_the_recipient_checks_the_files_with_sha256sum_alone(exported, tmp_path) -> None:
    out, data = exported
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["LRT-2023-11-10.md", "LRT-2023-11-10.html", "LRT-2023-11-10.pdf",
                            "LRT-2023-11-10.xml", "index.md", "index.html", "CHAIN.txt",
                            "MANIFEST.sha256"])
    check = sha256sum_check(out)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 7
    # one changed byte in a copy is caught
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    page = copy / "LRT-2023-11-10.md"
    page.write_text(page.read_text(encoding="utf8").replace("VNG", "VMG", 1), encoding="utf8")
    assert sha256sum_check(copy).returncode != 0


def test_the_documents_hold_the_approved_redacted_minutes_and_the_actions(exported) -> None:
    out, data = exported
    text = (out / "LRT-2023-11-10.md").read_text(encoding="utf8")
    page = (out / "LRT-2023-11-10.html").read_text(encoding="utf8")
    for content in (text, page):
        assert "Spies (VNG)" in content and "De Reus (IPO)" in content  # office holders
        assert "Adviseur VNG" not in content  # a civil servant: redacted by default
        assert "5.1.2e" in content
        assert "Er zijn geen punten ingebracht." in content  # the correction of 5 December
        assert "VNG levert een notitie aan." in content  # an action agreed
    assert "## Afgesproken acties" in text and "doorgeschoven" in text
    assert [m["meeting"] for m in data["meetings"]] == ["LRT-2023-11-10", "LRT-2023-12-01",
                                                        "LRT-2024-01-19"]
    assert [bool(m["files"]) for m in data["meetings"]] == [True, False, False]
    index = (out / "index.md").read_text(encoding="utf8")
    assert "[LRT-2023-11-10](LRT-2023-11-10.md)" in index
    assert "LRT-2023-12-01 | geen vastgesteld verslag" in index
    # the index page is styled as the minutes are and links each meeting's documents
    index_page = (out / "index.html").read_text(encoding="utf8")
    assert "<style>" in index_page and 'lang="nl"' in index_page
    for suffix in ("html", "pdf", "md"):
        assert f'<a href="LRT-2023-11-10.{suffix}">' in index_page
    assert '<a href="LRT-2023-12-01' not in index_page  # nothing approved to link
    # the PDF/A of the meeting: the page's text, the actions too
    pdf = pdf_facts((out / "LRT-2023-11-10.pdf").read_bytes())
    assert pdf["pdfa"] == ("2", "B") and all(pdf["fonts"].values())
    text = body_text(pdf["pages"], ["Landelijke Regietafel Migratie en Integratie",
                                    "Datum 10 november 2023",
                                    "Onze referentie LRT-2023-11-10"])
    assert squeeze(text) == squeeze(Text.of(page))
    assert "VNG levert een notitie aan." in text and "Adviseur VNG" not in text


def test_the_chain_head_is_the_one_the_export_was_made_at(cycle: Cycle, exported) -> None:
    out, data = exported
    head = cycle.cli.json("audit", "head")
    assert (data["chain_head"], data["chain_length"]) == (head["digest"], head["length"])
    chain = (out / "CHAIN.txt").read_text(encoding="utf8")
    assert (f"Kop van de hashketen: {head['digest']}\n"
            f"Lengte van de keten: {head['length']} gebeurtenissen\n") in chain
    assert (f"  lrt audit verify --against {head['digest']} --length {head['length']}\n"
            in chain)
    verified = cycle.cli.invoke("audit", "verify", "--against", data["chain_head"],
                                "--length", str(data["chain_length"]), "--json")
    assert verified.exit_code == 0 and json.loads(verified.stdout)["ok"]


def test_as_of_an_earlier_record_time(cycle: Cycle, tmp_path) -> None:
    # 2 December: approved (1 December), not yet corrected (5 December)
    before = cycle.cli.json("export", "parliament", *PERIOD, "--out", str(tmp_path / "a"),
                            "--as-of", "2023-12-02", user="woo")
    text = (tmp_path / "a" / "LRT-2023-11-10.md").read_text(encoding="utf8")
    assert "Er zijn geen punten ingebracht." not in text
    assert before["as_of"].startswith("2023-12-02T23:59")
    assert before["chain_length"] < cycle.cli.json("audit", "head")["length"]
    assert [m["meeting"] for m in before["meetings"]] == ["LRT-2023-11-10", "LRT-2023-12-01",
                                                          "LRT-2024-01-19"]
    # 25 November: nothing approved yet, and the later meetings not yet planned
    early = cycle.cli.json("export", "parliament", *PERIOD, "--out", str(tmp_path / "b"),
                           "--as-of", "2023-11-25", user="woo")
    assert [(m["meeting"], m["minutes"], m["files"]) for m in early["meetings"]] == [
        ("LRT-2023-11-10", "revised", [])]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [
        "CHAIN.txt", "MANIFEST.sha256", "index.html", "index.md"]


def test_mistakes_write_nothing(cycle: Cycle, tmp_path) -> None:
    cli = cycle.cli
    full = tmp_path / "full"
    full.mkdir()
    (full / "old.txt").write_text("x")
    cli.refused("export", "parliament", *PERIOD, "--out", str(full), user="woo",
                fragments=("not an empty directory",))
    assert [p.name for p in full.iterdir()] == ["old.txt"]
    new = tmp_path / "new"
    cli.refused("export", "parliament", "--table", "LRT", "--from", "2024-01-01",
                "--to", "2023-01-01", "--out", str(new), user="woo",
                fragments=("is before",))
    cli.refused("export", "parliament", "--table", "XYZ", "--from", "2023-01-01",
                "--to", "2023-12-31", "--out", str(new), user="woo", fragments=("no table",))
    cli.refused("export", "parliament", *PERIOD, "--out", str(new), user="spies",
                fragments=("may not export",))
    cli.refused("export", "parliament", "--table", "LRT", "--from", "gisteren",
                "--to", "2023-12-31", "--out", str(new), code=2, fragments=("--from",))
    assert not new.exists()


# --- the read model cannot lie into an export (issue 11, point 4) ------------------------

LIE = ("onverstandig", "verstandig en UITSTEKEND")


def test_an_edited_read_model_never_reaches_the_export(cli, tmp_path) -> None:
    """The issue's repro: a writer edits the draft's state in the read model; the chair's
    later, genuine approval keeps the lie there; the export holds the true text all the
    same, its own check passes, and `projections verify` names the lie."""
    from .test_woo_cli import M1, setup

    setup(cli, tmp_path, approve=False)
    cli.ok("projections", "catch-up")  # PostgreSQL: the draft in the read model first
    cli.store.execute("UPDATE view_state SET state = replace(state, ?, ?) "
                      "WHERE kind = 'minutes'", LIE)
    assert LIE[1] in str(cli.json("minutes", "show", M1))  # the read model lies
    cli.ok("meeting", "hold", "LRT-2023-12-01")
    cli.ok("minutes", "approve", M1, "--at-meeting", "LRT-2023-12-01")
    assert LIE[1] in str(cli.json("minutes", "show", M1))  # and keeps lying after
    assert cli.json("projections", "status")["behind"] == 0  # the status cannot know

    out = tmp_path / "export"
    cli.json("export", "parliament", *PERIOD, "--out", str(out), user="woo")
    for name in (f"{M1}.md", f"{M1}.html"):
        text = (out / name).read_text(encoding="utf8")
        assert "voorstel onverstandig" in text and "UITSTEKEND" not in text
    if shutil.which("sha256sum"):
        assert sha256sum_check(out).returncode == 0
    # as of a record time too (the fold's own versions and history)
    asof = tmp_path / "asof"
    cli.json("export", "parliament", *PERIOD, "--out", str(asof), "--as-of", "2024-01-08",
             user="woo")
    assert "UITSTEKEND" not in (asof / f"{M1}.md").read_text(encoding="utf8")

    verified = cli.invoke("projections", "verify")
    assert verified.exit_code == 1
    assert "DIFFERENT view_state " in verified.stdout and LIE[1] in verified.stdout
    cli.ok("projections", "rebuild")
    assert "UITSTEKEND" not in str(cli.json("minutes", "show", M1))
    assert cli.ok("projections", "verify").startswith("ok: ")


def test_an_export_to_a_path_that_cannot_be_written_is_a_usage_error(cycle: Cycle) -> None:
    for out in ("/proc/lrt-export", "/proc/self/status/x"):
        cycle.cli.refused("export", "parliament", *PERIOD, "--out", out, user="woo", code=2,
                          fragments=("'--out'", "cannot write"))
