"""The Dutch text of each kind of mail: subject, a plain-text and an HTML part, and what is
attached (the meeting as iCalendar, the documents sent).

A message is rendered from its decision (`lrt_domain.mail.Mail`: its kind and the facts
recorded when it was decided) and the states it names, so the same decision renders the
same message when it is sent again after a crash. Deadlines are written out in words, in
Dutch, by Babel ("vrijdag 10 november 2023, 12.00 uur").
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from lrt_domain.dutch_time import AMSTERDAM
from lrt_domain.mail import Mail, MailKind

# the portal's pages (web/app.py; tests/mail/test_portal_links.py holds them to its routes)
PORTAL_PATHS = {"meeting": "vergadering", "document": "document", "minutes": "verslag",
                "action": "actie"}


def in_words(moment: datetime) -> str:
    """'vrijdag 10 november 2023, 12.00 uur' (Europe/Amsterdam)."""
    from babel.dates import format_datetime

    return str(format_datetime(moment, "EEEE d MMMM y, H.mm 'uur'", tzinfo=AMSTERDAM,
                               locale="nl"))


def day_in_words(day: date) -> str:
    """'vrijdag 10 november 2023'."""
    from babel.dates import format_date

    return str(format_date(day, "EEEE d MMMM y", locale="nl"))


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


Line = str | Link


@dataclass
class Rendered:
    subject: str
    paragraphs: list[list[Line]]
    attachments: list[Attachment] = field(default_factory=list)

    def text(self) -> str:
        return "\n\n".join("\n".join(line if isinstance(line, str)
                                     else f"{line.label}: {line.url}" for line in p)
                           for p in self.paragraphs) + "\n"

    def html(self) -> str:
        def one(line: Line) -> str:
            if isinstance(line, str):
                return html.escape(line)
            return f'<a href="{html.escape(line.url, quote=True)}">{html.escape(line.label)}</a>'

        body = "\n".join("<p>" + "<br>\n".join(one(line) for line in p) + "</p>"
                         for p in self.paragraphs)
        return ('<!DOCTYPE html>\n<html lang="nl">\n<head><meta charset="utf-8">'
                f"<title>{html.escape(self.subject)}</title></head>\n<body>\n{body}\n"
                "</body>\n</html>\n")


@dataclass(frozen=True)
class Context:
    """What a message names besides its facts, looked up when it is rendered."""

    table_name: str
    greeting_name: str  # the person's name, or the organisation's
    sender: str  # the From address (the organiser of the meeting in the .ics)
    to: str
    portal_url: str | None = None
    documents: tuple[tuple[str, str, str], ...] = ()  # (key, title, text) attached
    agenda: tuple[str, ...] = ()


def portal(ctx: Context, kind: str, key: str) -> list[Line]:
    if not ctx.portal_url:
        return []
    return [Link("Op het portaal", f"{ctx.portal_url.rstrip('/')}/{PORTAL_PATHS[kind]}/{key}")]


def _when(facts: dict[str, str], name: str) -> datetime:
    return datetime.fromisoformat(facts[name])


def render(mail: Mail, ctx: Context) -> Rendered:
    return RENDERERS[mail.kind](mail, ctx)


def _greeting(ctx: Context) -> list[Line]:
    return [f"Geachte {ctx.greeting_name},"]


def _closing(ctx: Context) -> list[Line]:
    return ["Met vriendelijke groet,", f"het secretariaat van de {ctx.table_name}"]


def _meeting(mail: Mail, ctx: Context) -> Rendered:
    f = mail.facts
    first: list[Line]
    starts = _when(f, "starts_at")
    lines: list[Line] = [f"Datum en tijd: {in_words(starts)}", f"Plaats: {f['place']}"]
    if mail.kind is MailKind.CANCELLED:
        subject = f"Vervallen: vergadering {ctx.table_name}, {in_words(starts)}"
        first = [f"De vergadering van de {ctx.table_name} ({mail.table}) gaat niet door."]
    elif mail.kind is MailKind.RESCHEDULED:
        subject = f"Verplaatst: vergadering {ctx.table_name}, {in_words(starts)}"
        first = [f"De vergadering van de {ctx.table_name} ({mail.table}) is verplaatst."]
    else:
        subject = f"Uitnodiging: vergadering {ctx.table_name}, {in_words(starts)}"
        first = [f"U wordt uitgenodigd voor de vergadering van de {ctx.table_name} "
                 f"({mail.table})."]
    if f.get("reason"):
        first.append(f"Reden: {f['reason']}")
    paragraphs: list[list[Line]] = [_greeting(ctx), first, lines]
    if ctx.agenda and mail.kind is not MailKind.CANCELLED:
        paragraphs.append(["Agenda:", *ctx.agenda])
    paragraphs.append(["De vergadering staat als agenda-item in de bijlage (vergadering.ics)."
                       if mail.kind is not MailKind.CANCELLED else
                       "Met de bijlage (vergadering.ics) verdwijnt de vergadering uit uw "
                       "agenda.", *portal(ctx, "meeting", mail.subject)])
    paragraphs.append(_closing(ctx))
    from .calendar_ics import invitation

    method = "CANCEL" if mail.kind is MailKind.CANCELLED else "REQUEST"
    ics = invitation(
        method=method, meeting_id=f["meeting_id"], meeting=mail.subject, table=mail.table,
        table_name=ctx.table_name, starts_at=starts, place=f["place"],
        sequence=int(f["sequence"]), organiser=ctx.sender, attendee=ctx.to,
        stamp=_when(f, "changed_at"), agenda=ctx.agenda)
    return Rendered(subject, paragraphs, [Attachment("vergadering.ics", ics, "text", "calendar",
                                                     {"method": method})])


def _documents(mail: Mail, ctx: Context) -> Rendered:
    f = mail.facts
    paragraphs: list[list[Line]] = [
        _greeting(ctx),
        [f"Voor de vergadering van de {ctx.table_name} van "
         f"{in_words(_when(f, 'starts_at'))} is het volgende vergaderstuk verstuurd:",
         f"- {f['title']}" + (f" ({f['code']})" if f.get("code") else "")],
        ["Het stuk is bijgevoegd.", *portal(ctx, "document", mail.subject)],
        _closing(ctx)]
    attachments = [Attachment(_filename(key, title), text.encode("utf8"), "text", "plain",
                              {"charset": "utf-8"}) for key, title, text in ctx.documents]
    return Rendered(f"Vergaderstuk {ctx.table_name}: {f['title']}", paragraphs, attachments)


def _round(mail: Mail, ctx: Context) -> Rendered:
    f = mail.facts
    deadline = in_words(_when(f, "deadline"))
    first: list[Line]
    if mail.kind is MailKind.CIRCULATED:
        subject = f"Conceptverslag {ctx.table_name}: opmerkingen uiterlijk {deadline}"
        first = [f"Het conceptverslag van de vergadering van de {ctx.table_name} van "
                 f"{in_words(_when(f, 'starts_at'))} is rondgestuurd (versie {f['version']})."]
        where = portal(ctx, "minutes", mail.subject)
    else:
        subject = f"Commentaarronde {ctx.table_name}: {f['title']}, uiterlijk {deadline}"
        first = [f"Op het stuk '{f['title']}' is een commentaarronde geopend."]
        where = portal(ctx, "document", mail.subject)
    paragraphs: list[list[Line]] = [
        _greeting(ctx), first,
        [f"Uw opmerkingen zijn welkom tot uiterlijk {deadline}.",
         "Opmerkingen die later binnenkomen, kunnen niet meer worden verwerkt.", *where],
        _closing(ctx)]
    return Rendered(subject, paragraphs)


def _reminder(mail: Mail, ctx: Context) -> Rendered:
    f = mail.facts
    deadline = in_words(_when(f, "deadline"))
    what = ("het conceptverslag van de vergadering van "
            f"{in_words(_when(f, 'starts_at'))}" if f["subject_kind"] == "minutes"
            else f"het stuk '{f['title']}'")
    who = ("Wij hebben van u nog geen opmerkingen ontvangen"
           if mail.recipient_kind == "person"
           else "Wij hebben van uw organisatie nog geen opmerkingen ontvangen")
    paragraphs: list[list[Line]] = [
        _greeting(ctx),
        [f"{who} op {what} ({ctx.table_name}).",
         f"De commentaarronde sluit uiterlijk {deadline}.",
         *portal(ctx, "minutes" if f["subject_kind"] == "minutes" else "document",
                 mail.subject)],
        ["Heeft u geen opmerkingen, dan hoeft u niets te doen."],
        _closing(ctx)]
    return Rendered(f"Herinnering: opmerkingen uiterlijk {deadline}", paragraphs)


def _amendment(mail: Mail, ctx: Context) -> Rendered:
    f = mail.facts
    accepted = f["decision"] == "accepted"
    lines: list[Line] = [
        f"De wijziging {f['number']} die namens {f['organisation']} is voorgesteld op het "
        f"conceptverslag van de {ctx.table_name} van {in_words(_when(f, 'starts_at'))}, is "
        + ("overgenomen." if accepted else "niet overgenomen.")]
    if not accepted and f.get("reason"):
        lines.append(f"Reden: {f['reason']}")
    paragraphs: list[list[Line]] = [_greeting(ctx), lines + portal(ctx, "minutes",
                                                                   mail.subject),
                                    _closing(ctx)]
    return Rendered(("Wijziging overgenomen" if accepted else "Wijziging niet overgenomen")
                    + f": verslag {ctx.table_name}", paragraphs)


def _approved(mail: Mail, ctx: Context) -> Rendered:
    f = mail.facts
    how = (f"in de vergadering van {f['at_meeting']}" if f.get("at_meeting")
           else "bij schriftelijke procedure")
    paragraphs: list[list[Line]] = [
        _greeting(ctx),
        [f"Het verslag van de vergadering van de {ctx.table_name} van "
         f"{in_words(_when(f, 'starts_at'))} is vastgesteld {how} (versie {f['version']}).",
         *portal(ctx, "minutes", mail.subject)],
        _closing(ctx)]
    return Rendered(f"Verslag vastgesteld: {ctx.table_name}", paragraphs)


def _action(mail: Mail, ctx: Context) -> Rendered:
    f = mail.facts
    due = day_in_words(date.fromisoformat(f["due"]))
    overdue = mail.kind is MailKind.ACTION_OVERDUE
    paragraphs: list[list[Line]] = [
        _greeting(ctx),
        [f"Actie {mail.subject} ({ctx.table_name}), voor {f['organisation']}:",
         f['text'],
         (f"Deze actie had op {due} gereed moeten zijn en staat nog open." if overdue
          else f"Deze actie moet uiterlijk {due} gereed zijn."),
         *portal(ctx, "action", mail.subject)],
        ["Wilt u de voortgang melden bij het secretariaat?"],
        _closing(ctx)]
    return Rendered(("Actie verlopen" if overdue else "Actie binnenkort verwacht")
                    + f": {mail.subject}", paragraphs)


def _filename(key: str, title: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{key.rsplit('/', 1)[-1]} {title}").strip("-")
    return f"{name[:80]}.txt"


RENDERERS: dict[MailKind, Callable[[Mail, Context], Rendered]] = {
    MailKind.INVITATION: _meeting, MailKind.RESCHEDULED: _meeting,
    MailKind.CANCELLED: _meeting, MailKind.DOCUMENTS: _documents, MailKind.ROUND: _round,
    MailKind.CIRCULATED: _round, MailKind.REMINDER: _reminder,
    MailKind.AMENDMENT: _amendment, MailKind.APPROVED: _approved,
    MailKind.ACTION_DUE: _action, MailKind.ACTION_OVERDUE: _action,
}
