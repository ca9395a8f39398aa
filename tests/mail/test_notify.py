"""`lrt notify`: the mail decided from the events and the clock, sent to a real SMTP server
on loopback (aiosmtpd), on both stores."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest

from worlds.command_line import SEC, Cli, at

from .conftest import SmtpServer

SPIES = "spies@vng.example"
REUS = "reus@ipo.example"
GUEST = "gast@vb.example"
IPO = "secretariaat@ipo.example"


def world(cli: Cli) -> str:
    """The LRT with two members who have an address and one who has none; returns the
    meeting scheduled on 1 November for 10 November."""
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "Ministerie van Justitie en Veiligheid",
                      user=None).exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("org", "add", "IPO", "Interprovinciaal Overleg")
    for name, key, title in [("Liesbeth Spies", "liesbeth-spies", "Mevr."),
                             ("Jan de Reus", "de-reus", "Dhr."),
                             ("Adviseur VNG", "adviseur-vng", None),
                             ("Gast Veiligheidsberaad", "gast", None)]:
        cli.new("person", "add", name, "--id", key, *(("--title", title) if title else ()))
    cli.ok("person", "email", "liesbeth-spies", SPIES)
    cli.ok("person", "email", "de-reus", REUS)
    cli.ok("person", "email", "gast", GUEST)
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "liesbeth-spies")
    cli.new("table", "add", "LRT", "Landelijke Regietafel Migratie en Integratie",
            "--secretariat", "JenV", "--meetings-per-year", "12")
    for person, org in [("liesbeth-spies", "VNG"), ("de-reus", "IPO"),
                        ("adviseur-vng", "VNG")]:
        cli.new("member", "add", "LRT", person, "--organisation", org, "--function", "lid",
                "--since", "2023-09-01")
    cli.at("2023-11-01 09:00")
    return cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15",
                   "--place", "Johan de Witthuis")


def run(cli: Cli, *args: str, code: int = 0) -> dict[str, object]:
    result = cli.invoke("notify", "run", "--json", *args)
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    report: dict[str, object] = json.loads(result.stdout)
    return report


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None, "a plain-text and an HTML part"
    return text.get_content(), html.get_content()


def test_invitation_with_the_meeting_as_icalendar(cli: Cli, smtp: SmtpServer,
                                                  tmp_path) -> None:
    from icalendar import Calendar

    meeting = world(cli)
    cli.ok("meeting", "invite", meeting, "gast")
    report = run(cli)
    assert report["decided"] == 3 and report["sent"] == 3, report
    assert sorted(r for m in smtp.collector.received for r in m.rcpt_tos) == \
        sorted([SPIES, REUS, GUEST])  # not the member without an address
    msg = smtp.collector.to(SPIES)[0]
    assert msg["Subject"] == ("Uitnodiging: vergadering Landelijke Regietafel Migratie en "
                              "Integratie, vrijdag 10 november 2023, 9.15 uur")
    assert msg["To"].addresses[0].addr_spec == SPIES
    assert msg["From"].addresses[0].addr_spec == "lrt@minjenv.example"
    assert abs((parsedate_to_datetime(msg["Date"]) - cli.clock.now()).total_seconds()) < 2
    assert msg["Message-ID"].endswith("@minjenv.example>")
    text, html = parts(msg)
    assert "Geachte Liesbeth Spies," in text and "Johan de Witthuis" in text
    assert "https://portaal.example/lrt/vergadering/" + meeting in text
    assert "<p>Geachte Liesbeth Spies,</p>" in html and 'lang="nl"' in html
    ics = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(ics) == 1 and ics[0].get_param("method") == "REQUEST"
    event = Calendar.from_ical(ics[0].get_content()).walk("VEVENT")[0]

    cli.ok("calendar", "export", "--table", "LRT", "--out", str(tmp_path / "lrt.ics"))
    exported = Calendar.from_ical((tmp_path / "lrt.ics").read_bytes()).walk("VEVENT")[0]
    assert str(event["UID"]) == str(exported["UID"])
    assert event["SEQUENCE"] == exported["SEQUENCE"] == 0

    # a second run sends nothing new; the member's own Message-IDs are one each
    assert run(cli)["sent"] == 0 and run(cli)["decided"] == 0
    assert len(smtp.collector.received) == 3

    # rescheduled, then cancelled: REQUEST with a higher SEQUENCE, then CANCEL, same UID
    cli.at("2023-11-02 09:00")
    cli.ok("meeting", "reschedule", meeting, "--at", "2023-11-10 13:00", "--reason",
           "botsing met het vragenuur")
    assert run(cli)["sent"] == 3
    cli.at("2023-11-03 09:00")
    cli.ok("meeting", "cancel", meeting, "--reason", "geen agendapunten")
    assert run(cli)["sent"] == 3
    moved, cancelled = smtp.collector.to(SPIES)[1:]
    assert moved["Subject"].startswith("Verplaatst: ") and "13.00 uur" in moved["Subject"]
    assert "botsing met het vragenuur" in parts(moved)[0]
    for msg, method, sequence in [(moved, "REQUEST", 1), (cancelled, "CANCEL", 2)]:
        part = next(p for p in msg.iter_attachments()
                    if p.get_content_type() == "text/calendar")
        assert part.get_param("method") == method
        ev = Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
        assert str(ev["UID"]) == str(exported["UID"]) and ev["SEQUENCE"] == sequence
    cli.ok("calendar", "export", "--table", "LRT", "--out", str(tmp_path / "later.ics"))
    later = Calendar.from_ical((tmp_path / "later.ics").read_bytes()).walk("VEVENT")[0]
    assert later["SEQUENCE"] == 2 and later["STATUS"] == "CANCELLED"
    assert len({r.message["Message-ID"] for r in smtp.collector.received}) == 9


def test_round_deadline_in_words_and_reminders(cli: Cli, smtp: SmtpServer) -> None:
    meeting = world(cli)
    assert cli.json("table", "show", "LRT")["rules"]["reminder_hours"] == [24, 2]
    cli.ok("org", "email", "IPO", IPO)
    run(cli)
    smtp.collector.clear()
    cli.at("2023-11-06 09:00")
    document = cli.new("document", "add", meeting, "Conceptbrief Tweede Kamer", "--text",
                       "Conceptbrief aan de Tweede Kamer.")
    cli.ok("document", "send", document)
    cli.ok("document", "round", document, "--deadline", "2023-11-08 12:00")
    report = run(cli)
    assert report["sent"] == 4, report  # the document and the round, to each member
    documents = [m for m in smtp.collector.to(REUS) if m["Subject"].startswith("Vergaderstuk")]
    assert len(documents) == 1
    attached = [p for p in documents[0].iter_attachments()
                if p.get_content_type() == "text/plain"]
    assert attached and "Conceptbrief aan de Tweede Kamer." in attached[0].get_content()
    opened = next(m for m in smtp.collector.to(REUS)
                  if m["Subject"].startswith("Commentaarronde"))
    text, html = parts(opened)
    assert "uiterlijk woensdag 8 november 2023, 12.00 uur" in text
    assert "uiterlijk woensdag 8 november 2023, 12.00 uur" in html
    assert opened["Subject"].endswith("uiterlijk woensdag 8 november 2023, 12.00 uur")

    cli.at("2023-11-07 10:00")
    cli.ok("comment", "add", document, "--text", "Graag de toon milder.", user="spies")
    assert run(cli)["sent"] == 0  # not yet 24 hours before the deadline
    smtp.collector.clear()
    cli.at("2023-11-07 12:30")
    report = run(cli)
    # to de Reus, and to IPO's functional address (IPO has not commented); not to Spies,
    # who commented, nor to VNG, whose member did
    assert report["sent"] == 2, report
    assert sorted(r.rcpt_tos[0] for r in smtp.collector.received) == \
        sorted([REUS, IPO])
    assert run(cli)["sent"] == 0
    cli.at("2023-11-08 10:30")
    assert run(cli)["sent"] == 2  # the 2-hour reminder
    cli.at("2023-11-08 12:01")
    assert run(cli)["sent"] == 0  # none after the deadline
    reminders = [r.message for r in smtp.collector.received
                 if r.message["Subject"].startswith("Herinnering")]
    assert sorted(r["To"].addresses[0].addr_spec for r in reminders) == sorted(
        [IPO, IPO, REUS, REUS])
    assert "Wij hebben van uw organisatie nog geen opmerkingen" in parts(
        next(r for r in reminders if r["To"].addresses[0].addr_spec == IPO))[0]
    assert SPIES not in {a for r in smtp.collector.received for a in r.rcpt_tos}
    assert "uiterlijk woensdag 8 november 2023, 12.00 uur" in parts(reminders[0])[0]
