"""One language per output (issue 17): every kind of mail `lrt notify` sends is Dutch in
its subject, its plain-text and HTML parts and its attachments' names, held to the same
list of the command line's English words as the documents (`worlds.language`)."""

from __future__ import annotations

from pathlib import Path

from lrt_domain.mail import MailKind
from worlds.command_line import MINUTES_MD, Cli
from worlds.language import Visible, english_words

from .conftest import SmtpServer
from .test_notify import parts, run, world

# the subject each kind of mail begins with (lrt_app/mail_render.py)
SUBJECTS = {MailKind.INVITATION: "Uitnodiging", MailKind.RESCHEDULED: "Verplaatst",
            MailKind.CANCELLED: "Vervallen", MailKind.DOCUMENTS: "Vergaderstuk",
            MailKind.ROUND: "Commentaarronde", MailKind.REMINDER: "Herinnering",
            MailKind.CIRCULATED: "Conceptverslag", MailKind.AMENDMENT: "Wijziging",
            MailKind.APPROVED: "Verslag vastgesteld",
            MailKind.ACTION_DUE: "Actie binnenkort verwacht",
            MailKind.ACTION_OVERDUE: "Actie verlopen"}


def test_every_kind_of_mail_is_in_dutch(cli: Cli, smtp: SmtpServer, tmp_path: Path) -> None:
    meeting = world(cli)  # 1 November: the meeting of 10 November scheduled
    cli.ok("meeting", "invite", meeting, "gast")
    for title in ["Opening en mededelingen", "Huisvesting statushouders", "WVTTK"]:
        cli.new("agenda", "add", meeting, title)
    extra = cli.new("meeting", "schedule", "LRT", "--at", "2023-12-15 10:00", "--place",
                    "Webex")
    run(cli)  # invitations
    cli.ok("meeting", "reschedule", extra, "--at", "2023-12-18 10:00", "--reason",
           "zaal bezet")
    run(cli)
    cli.ok("meeting", "cancel", extra, "--reason", "geen agendapunten")
    run(cli)
    cli.at("2023-11-02 09:00")
    document = cli.new("document", "add", meeting, "Conceptbrief aan de Kamer", "--text",
                       "De tekst van de brief.")
    cli.ok("document", "send", document)
    cli.ok("document", "round", document, "--deadline", "2023-11-08 12:00")
    run(cli)
    cli.at("2023-11-07 13:00")  # within a day of the round's deadline: a reminder
    run(cli)

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
    cli.new("minutes", "draft", meeting, "--from", str(draft))
    cli.ok("minutes", "circulate", meeting, "--deadline", "2023-11-21 12:00")
    run(cli)
    cli.at("2023-11-16 09:00")
    run(cli)  # IPO's action overdue
    cli.at("2023-11-20 15:00")
    cli.new("amendment", "propose", meeting, "--item", "2", "--point", "1", "--text",
            "VNG steunt de richting op hoofdlijnen, met voorbehoud.", user="spies")
    cli.at("2023-11-22 09:00")
    cli.ok("amendment", "accept", meeting, "1")
    run(cli)
    cli.at("2023-11-27 10:00")
    following = cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00",
                        "--place", "Webex")
    cli.at("2023-12-01 10:00")
    cli.ok("meeting", "hold", following)
    cli.ok("minutes", "approve", meeting, "--at-meeting", following)
    run(cli)

    received = [r.message for r in smtp.collector.received]
    kinds = {kind for kind, start in SUBJECTS.items()
             if any(str(m["Subject"]).startswith(start) for m in received)}
    assert kinds == set(MailKind), set(MailKind) - kinds  # every kind was sent
    found = {}
    for i, message in enumerate(received):
        text, html = parts(message)
        names = " ".join(part.get_filename() or "" for part in message.iter_attachments())
        words = english_words("\n".join([str(message["Subject"]), text, Visible.of(html),
                                         names]))
        if words:
            found[f"{i}: {message['Subject']}"] = words
    assert found == {}
