"""The minutes' mail (circulated, amendment decided, approved), the actions' (due, overdue),
opting out, --dry-run, the SMTP settings, and addresses kept out of what is published."""

from __future__ import annotations

from pathlib import Path

from worlds.command_line import MINUTES_MD, SEC, Cli, assert_one_line_error, \
    store_fingerprint

from .conftest import SmtpServer
from .test_notify import IPO, REUS, SPIES, parts, run, world


def subjects(smtp: SmtpServer) -> list[tuple[str, str]]:
    return sorted((r.rcpt_tos[0], r.message["Subject"].split(":")[0])
                  for r in smtp.collector.received)


def test_minutes_and_actions_mail(cli: Cli, smtp: SmtpServer, tmp_path: Path) -> None:
    meeting = world(cli)
    cli.ok("org", "email", "IPO", IPO)
    for title in ["Opening en mededelingen", "Huisvesting statushouders", "WVTTK"]:
        cli.new("agenda", "add", meeting, title)
    run(cli)
    smtp.collector.clear()
    # Spies wants no mail on approved minutes; the round itself cannot be switched off
    cli.ok("person", "mail", "liesbeth-spies", "--off", "approved", user="spies")
    line = assert_one_line_error(cli.invoke("person", "mail", "liesbeth-spies", "--off",
                                            "circulated", user="spies"), 1, "mandatory")
    assert "circulated" in line
    assert_one_line_error(cli.invoke("person", "mail", "de-reus", "--off", "reminder",
                                     user="spies"), 1, "may not")
    persons = {p["id"]: p for p in cli.json("person", "list")}
    assert persons["liesbeth-spies"]["mail_off"] == ["approved"]
    assert persons["liesbeth-spies"]["email"] == SPIES
    assert persons["adviseur-vng"]["email"] is None

    cli.at("2023-11-10 09:15")
    cli.ok("meeting", "hold", meeting)
    cli.at("2023-11-13 10:00")
    cli.new("action", "add", meeting, "--item", "2", "--owner", "VNG", "--text",
            "VNG levert een notitie aan.", "--due", "2023-11-20")
    cli.new("action", "add", meeting, "--item", "2", "--owner", "IPO", "--text",
            "IPO verkent de verdeling.", "--due", "2023-11-15")
    cli.at("2023-11-14 10:00")
    draft = tmp_path / "verslag.md"
    draft.write_text(MINUTES_MD, encoding="utf8")
    cli.new("minutes", "draft", meeting, "--from", str(draft))  # + VNG's action line
    cli.ok("minutes", "circulate", meeting, "--deadline", "2023-11-21 12:00")
    run(cli)
    # circulated to the members with an address; both actions are within 5 working days
    # of their due date: VNG's to its member (VNG has no functional address), IPO's to IPO
    assert subjects(smtp) == sorted([
            (SPIES, "Conceptverslag Landelijke Regietafel Migratie en Integratie"),
            (REUS, "Conceptverslag Landelijke Regietafel Migratie en Integratie"),
            (SPIES, "Actie binnenkort verwacht"), (IPO, "Actie binnenkort verwacht")])
    circulated = next(m for m in smtp.collector.to(REUS))
    assert "uiterlijk dinsdag 21 november 2023, 12.00 uur" in parts(circulated)[0]
    assert "https://portaal.example/lrt/verslag/" + meeting in parts(circulated)[1]

    smtp.collector.clear()
    cli.at("2023-11-16 09:00")
    run(cli)
    assert subjects(smtp) == [(IPO, "Actie verlopen")]
    assert "woensdag 15 november 2023" in parts(smtp.collector.received[0].message)[0]

    smtp.collector.clear()
    cli.at("2023-11-20 15:00")
    cli.new("amendment", "propose", meeting, "--item", "2", "--point", "1", "--text",
            "VNG steunt de richting op hoofdlijnen, met voorbehoud.", user="spies")
    run(cli)  # within 24 hours of the deadline: nobody commented (an amendment is none)
    assert subjects(smtp) == sorted([(SPIES, "Herinnering"), (REUS, "Herinnering"),
                                     (IPO, "Herinnering")])
    assert ("op het conceptverslag van de vergadering van vrijdag 10 november 2023, "
            "9.15 uur") in " ".join(parts(smtp.collector.received[0].message)[0].split())
    smtp.collector.clear()
    cli.at("2023-11-22 09:00")
    cli.ok("amendment", "accept", meeting, "1")
    run(cli)  # no reminder now: the deadline has passed
    assert subjects(smtp) == sorted([(SPIES, "Actie verlopen"),
                                     (SPIES, "Wijziging overgenomen")])
    amendment = next(m.message for m in smtp.collector.received
                     if m.message["Subject"].startswith("Wijziging"))
    assert "namens VNG" in parts(amendment)[0] and "is overgenomen" in parts(amendment)[0]

    smtp.collector.clear()
    cli.at("2023-11-27 10:00")
    following = cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00",
                        "--place", "Webex")
    cli.at("2023-12-01 10:00")
    cli.ok("meeting", "hold", following)
    cli.ok("minutes", "approve", meeting, "--at-meeting", following)
    cli.ok("action", "done", f"{meeting}/A1")
    cli.ok("action", "done", f"{meeting}/A2")
    cli.at("2023-12-01 10:05")
    before = store_fingerprint(cli.db)
    dry = cli.json("notify", "run", "--dry-run")
    assert store_fingerprint(cli.db) == before  # nothing recorded
    assert [(w["kind"], w["to"]) for w in dry["would_send"]] == [("approved", REUS)]
    assert cli.ok("notify", "run", "--dry-run").startswith("would send (nothing recorded):")
    assert smtp.collector.received == []
    run(cli)  # not to Spies (opted out); no invitation to a meeting already begun
    assert subjects(smtp) == [(REUS, "Verslag vastgesteld")]

    # The addresses are personal data: not in the Woo publication nor the export
    cli.ok("minutes", "publish", meeting, "--out", str(tmp_path / "openbaar"))
    cli.ok("export", "parliament", "--table", "LRT", "--from", "2023-01-01", "--to",
           "2023-12-31", "--out", str(tmp_path / "kamer"))
    published = [p for d in ("openbaar", "kamer") for p in (tmp_path / d).rglob("*")
                 if p.is_file()]
    assert len(published) >= 5
    for path in published:
        text = (pdf_text(path) if path.suffix == ".pdf"
                else path.read_bytes().decode("utf8", "replace"))
        for address in (SPIES, REUS, IPO, "@"):
            assert address not in text, (path, address)
    # ... and shown only to readers of addresses
    assert cli.json("org", "list", user="spies")[0].keys() == {"code", "name", "tooi"}
    assert {o["code"]: o["email"] for o in cli.json("org", "list")}["IPO"] == IPO
    assert cli.json("notify", "status")["counts"]["sent"] >= 10
    assert cli.json("notify", "status", user="spies")["mail"] == []  # none of hers to see
    assert cli.json("audit", "verify")["ok"] is True


def test_smtp_settings_are_checked_and_the_password_never_shown(
        cli: Cli, smtp: SmtpServer, monkeypatch, tmp_path: Path) -> None:
    world(cli)
    before = store_fingerprint(cli.db)
    monkeypatch.setenv("LRT_SMTP", f"smtp://post:geheim123@127.0.0.1:{smtp.port}")
    line = assert_one_line_error(cli.invoke("notify", "run"), 1, "LRT_SMTP_PASSWORD")
    assert "geheim123" not in line
    monkeypatch.setenv("LRT_SMTP", f"smtp://post@127.0.0.1:{smtp.port}")
    assert_one_line_error(cli.invoke("notify", "run"), 1, "needs a password")
    secret = tmp_path / "wachtwoord"
    secret.write_text("geheim123\n", encoding="utf8")
    monkeypatch.setenv("LRT_SMTP_PASSWORD_FILE", str(secret))
    # the test server offers no AUTH: the run stops, says so, and never shows the password
    result = cli.invoke("notify", "run")
    assert result.exit_code == 3  # ran, but could not send
    assert "geheim123" not in result.stdout + result.stderr
    assert "stopped sending" in result.stdout and "post@127.0.0.1" in result.stdout
    for row in cli.store.stored_events():
        assert b"geheim123" not in row[3]
    monkeypatch.setenv("LRT_SMTP", "http://127.0.0.1:25")
    assert_one_line_error(cli.invoke("notify", "run"), 1, "smtp://")
    monkeypatch.delenv("LRT_MAIL_FROM")
    monkeypatch.setenv("LRT_SMTP", smtp.url)
    assert_one_line_error(cli.invoke("notify", "run"), 1, "LRT_MAIL_FROM")
    # only a secretariat user runs the notifier
    assert_one_line_error(cli.invoke("notify", "run", "--from", "a@b.example",
                                     user="spies"), 1, "may not")
    assert store_fingerprint(cli.db)[0] > before[0]  # the failed attempt was recorded
    assert cli.json("notify", "status", user=SEC)["counts"]["failing"] == 1


def pdf_text(path: Path) -> str:
    """A PDF's text as a reader sees it (its compressed bytes may hold any character)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)
