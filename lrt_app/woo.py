"""The public text of minutes under the Woo: redacted Markdown and HTML, and the inventory.

`render_public` is pure: it takes plain states (so a caller may pass states as of an
earlier moment, as the export for parliament does) and returns the public minutes in the
layout of `minutes_render` (the seeds' layout), with every redaction in force replaced by
its ground between brackets ("[5.1.2e]"), and the inventory of the redactions. Neither the
public text nor the inventory holds a redacted name or passage: persons are referred to by
number, deciders by role and organisation (a login may be a civil servant's name).
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lrt_domain.directory import Person
from lrt_domain.dutch_time import local, local_date
from lrt_domain.errors import RuleViolation
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes, MinutesStatus
from lrt_domain.publication import (GROUND_DESCRIPTIONS, Decision, InventoryEntry,
                                    WORD, Publication, RedactionEntry, Redactor,
                                    TargetKind, WooGround, find_phones, fold, inventory,
                                    name_patterns,
                                    organisation_codes, redactions)
from lrt_domain.tables import Table

from . import minutes_render
from .minutes_render import attendance, dutch_date, member_label, short_name

ROLE_NL = {"secretariat": "secretariaat", "chair": "voorzitter", "member": "lid",
           "guest": "gast", "auditor": "auditor"}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf8")).hexdigest()


@dataclass(frozen=True)
class PublicMinutes:
    """The public minutes of one meeting, and what they were made from."""

    meeting: str
    markdown: str  # the public minutes (Markdown, UTF-8)
    html: str  # the same, as an HTML page
    inventory: tuple[InventoryEntry, ...]  # the redactions applied, numbered 1..
    inventory_markdown: str  # the inventory as a Markdown document
    redactions: tuple[RedactionEntry, ...]  # every redaction, lifted ones too (internal)
    # redacts any other text of these minutes as the public text is (the export's actions)
    redact: Callable[[str], str] = field(compare=False, repr=False, default=str)
    # what the text was rendered from (redacted), and the Woo note at its end: for the PDF
    document: dict[str, Any] = field(compare=False, repr=False, default_factory=dict)
    note_html: str = field(compare=False, repr=False, default="")
    approved_at: datetime | None = None  # the record time of the approval (vaststelling)
    published_at: datetime | None = None  # of the publication decided (openbaarmaking)

    def pdf(self, now: datetime, appendix_html: str = "") -> bytes:
        """The public minutes as PDF/A-2b, printed at `now`: the HTML's text, then
        `appendix_html` (the export's actions) after the Woo note, as in the HTML."""
        page = minutes_render.to_html(self.document, printed=now)
        return minutes_render.html_to_pdf(
            page.replace("</body>", self.note_html + appendix_html + "</body>"))

    @property
    def markdown_digest(self) -> str:
        return sha256(self.markdown)

    @property
    def html_digest(self) -> str:
        return sha256(self.html)


def render_public(minutes: Minutes, meeting: Meeting, table: Table,
                  persons: Mapping[str, Person], publication: Publication | None, *,
                  approving_meeting: Meeting | None = None,
                  published: Decision | None = None) -> PublicMinutes:
    """The public (redacted) minutes and their inventory.

    - `minutes`, `meeting`, `table`: the states of the minutes, their meeting and its
      table; `persons`: person key -> Person (at least everyone named; all the directory's
      persons, so that names in the text are found); `publication`: the Woo decisions on
      these minutes (None: none yet, the defaults alone). Any moment's states will do.
    - `approving_meeting`: the meeting that approved the minutes, for its date in the
      heading ("Vastgesteld in de vergadering van 1 december 2023").
    - `published`: who publishes and when: it decides the default redactions in the
      inventory. Default: the last publication recorded in `publication`, else none (the
      inventory then names the rule only).

    Only approved minutes are public: others are refused (RuleViolation). A redacted name
    left in the output (a form of it the finder missed) is refused too, rather than
    published."""
    if minutes.status is not MinutesStatus.APPROVED:
        raise RuleViolation(f"minutes {minutes.key} are {minutes.status}; only approved "
                            "minutes are published")
    if published is None and publication is not None and publication.publications:
        published = publication.publications[-1].published
    entries = redactions(minutes, meeting, table, persons, publication)
    redactor = Redactor(entries, persons, exclude=organisation_codes(table))
    document = _document(minutes, meeting, table, persons, redactor, approving_meeting)
    listed = tuple(inventory(entries, published))
    grounds = sorted({e.ground for e in listed}, key=list(WooGround).index)
    markdown = minutes_render.to_markdown(document) + _markdown_note(grounds)
    note = _html_note(grounds)
    page = minutes_render.to_html(document).replace("</body>", note + "</body>")
    inventory_md = _inventory_markdown(minutes, meeting, table, listed)
    _check_nothing_left(entries, persons, {"markdown": markdown,
                                           "html": html_lib.unescape(page),
                                           "inventory": inventory_md})
    return PublicMinutes(meeting=meeting.key, markdown=markdown, html=page,
                         inventory=listed, inventory_markdown=inventory_md,
                         redactions=tuple(entries), redact=redactor.apply,
                         document=document, note_html=note,
                         approved_at=minutes.approval.approved_at if minutes.approval else None,
                         published_at=published.at if published else None)


def _document(minutes: Minutes, meeting: Meeting, table: Table,
              persons: Mapping[str, Person], redactor: Redactor,
              approving_meeting: Meeting | None) -> dict[str, Any]:
    """What `minutes_render` takes (as `Views.minutes_document` gives it), redacted."""
    r = redactor.apply
    day = local_date(meeting.starts_at)

    def label(key: str) -> str:  # as the seeds write it: "Dhr. Van der Maat (SJenV)"
        membership = table.membership_of(key, day)
        if redactor.redacts(key):
            return member_label(redactor.person_marker(key), membership)
        return member_label(r(short_name(persons.get(key), key)), membership)

    present, absent = attendance(meeting, label)
    approval = minutes.approval
    assert approval is not None
    accepted = set(approval.amendments)
    return {
        "meeting": minutes.meeting, "table": minutes.table, "table_name": table.name,
        "secretariat": table.secretariat, "starts_at_local": local(meeting.starts_at).isoformat(), "place": r(meeting.place),
        "status": minutes.status.value, "version": minutes.text_version,
        "present": present, "absent": absent,
        "items": [{"number": it.number, "title": r(it.title),
                   "points": [{"kind": p.kind.value, "text": r(p.text)} for p in it.points]}
                  for it in minutes.items],
        "approval": {"at_meeting": approval.at_meeting,
                     "written_procedure": approval.at_meeting is None,
                     "amendments": list(approval.amendments)},
        "approval_date": local_date(approving_meeting.starts_at).isoformat()
        if approving_meeting is not None else None,
        "amended_by": list(dict.fromkeys(a.organisation for a in (*minutes.amendments,
                                                                   *minutes.decided)
                                         if a.number in accepted)),
        "corrections": [{"number": c.number, "item": c.item, "point": c.point,
                         "reason": r(c.reason), "of_version": c.of_version}
                        for c in minutes.corrections],
        "round_deadline": None,
    }


def _grounds_text(grounds: list[WooGround]) -> list[str]:
    return [f"[{g.value}] {GROUND_DESCRIPTIONS[g]}" for g in grounds]


def _markdown_note(grounds: list[WooGround]) -> str:
    lines = ["", "---", "",
             "Openbaar gemaakt op grond van de Wet open overheid (Woo)."]
    if grounds:
        lines.append("Weggelakte tekst is vervangen door de weigeringsgrond tussen rechte "
                     "haken; de inventaris somt elke weglakking op:")
        lines += ["", *(f"- {g}" for g in _grounds_text(grounds))]
    return "\n".join(lines) + "\n"


def _html_note(grounds: list[WooGround]) -> str:
    out = ['<hr>\n<p class="woo">Openbaar gemaakt op grond van de Wet open overheid (Woo).']
    if grounds:
        out.append(" Weggelakte tekst is vervangen door de weigeringsgrond tussen rechte "
                   "haken; de inventaris somt elke weglakking op:</p>\n<ul>\n")
        out += [f"<li>{html_lib.escape(g)}</li>\n" for g in _grounds_text(grounds)]
        out.append("</ul>\n")
    else:
        out.append("</p>\n")
    return "".join(out)


def decider(e: InventoryEntry) -> str:
    """Who decided, by role and organisation only."""
    if e.decided_by_role is None:
        return "standaardregel (ambtenaren)"
    who = ROLE_NL.get(e.decided_by_role.value, e.decided_by_role.value)
    if e.decided_by_organisation:
        who += f" {e.decided_by_organisation}"
    return who + (" (standaard voor ambtenaren)" if e.default else "")


def moment(value: datetime | None) -> str:
    if value is None:
        return "bij openbaarmaking"
    t = local(value)
    return f"{dutch_date(t.date())}, {t:%H:%M}"


def what(e: InventoryEntry) -> str:
    if e.kind in (TargetKind.PERSON, TargetKind.NAME):
        return f"naam van persoon {e.person_number}"
    if e.kind is TargetKind.PHONE:
        return "telefoonnummer"
    return "passage"


def inventory_rows(listed: tuple[InventoryEntry, ...]) -> list[dict[str, Any]]:
    """The inventory as rows of plain values (the JSON of `lrt minutes publish`)."""
    return [{"number": e.number, "kind": e.kind.value, "what": what(e),
             "person_number": e.person_number, "default": e.default,
             "ground": e.ground.value, "ground_description": GROUND_DESCRIPTIONS[e.ground],
             "decided_by": decider(e),
             "decided_by_role": e.decided_by_role.value if e.decided_by_role else None,
             "decided_by_organisation": e.decided_by_organisation,
             "decided_at": local(e.decided_at).isoformat(timespec="minutes")
             if e.decided_at else None,
             "occurrences": e.occurrences} for e in listed]


def _inventory_markdown(minutes: Minutes, meeting: Meeting, table: Table,
                        listed: tuple[InventoryEntry, ...]) -> str:
    day = dutch_date(local_date(meeting.starts_at))
    lines = [f"# Inventaris van weglakkingen: verslag {table.key} {day}", "",
             f"Verslag van de vergadering {meeting.key} van de {table.name}, versie "
             f"{minutes.text_version}. Weigeringsgronden: Wet open overheid (Woo).", ""]
    if not listed:
        lines.append("Er is niets weggelakt.")
    else:
        lines += ["| nr | wat | grond | besloten door | wanneer | aantal keer |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {e.number} | {what(e)} | {e.ground.value} | {decider(e)} | "
                  f"{moment(e.decided_at)} | {e.occurrences} |" for e in listed]
        grounds = sorted({e.ground for e in listed}, key=list(WooGround).index)
        lines += ["", "Gronden:", "", *(f"- {g}" for g in _grounds_text(grounds))]
    return "\n".join(lines) + "\n"


def _check_nothing_left(entries: list[RedactionEntry], persons: Mapping[str, Person],
                        outputs: dict[str, str]) -> None:
    """Refuse output that still holds a redacted person's full name (in any case, spacing,
    width or accents, split by invisible characters: as `fold` reads it) or a redacted
    passage: a form the finder missed is never published."""
    names: list[re.Pattern[str]] = []
    capitalised: list[re.Pattern[str]] = []  # matched where a capital is: "Groot", not "groot"
    passages: list[str] = []
    phones = {e.phone for e in entries if e.in_force and e.phone is not None}
    for e in entries:
        if not e.in_force:
            continue
        if e.person is not None and e.person in persons:
            full, _ = name_patterns(persons[e.person].name)
            words = r"\s+".join(re.escape(w) for w in fold(persons[e.person].name)[0].split())
            names.append(full or re.compile(rf"(?<![{WORD}]){words}(?![{WORD}])",
                                             re.IGNORECASE))
        elif e.name is not None:  # its full forms; a one-word name where capitalised
            full, bare = name_patterns(e.name)
            if full is not None:
                names.append(full)
            elif bare is not None:
                capitalised.append(bare)
        elif e.passage:
            passages.append(e.passage)
    for label, text in outputs.items():
        flat = " ".join(text.split())
        folded = fold(text)[0]
        left = any(re.search(rf"(?<![{WORD}])"
                             + r"\s+".join(re.escape(w) for w in passage.split())
                             + rf"(?![{WORD}])", flat) for passage in passages)
        left = left or any(any(c.isupper() for c in m[0]) for p in capitalised
                           for m in p.finditer(folded))
        left = left or any(digits in phones for _, _, digits in find_phones(text))
        if left or any(p.search(folded) for p in names):
            raise RuleViolation(
                f"publication: the public {label} would still hold a redacted name or "
                "passage; redact the passage where it occurs and publish again")


@dataclass(frozen=True)
class WooStates:
    """Everything a Woo decision on one meeting's minutes is made on (plain states)."""

    minutes: Minutes
    meeting: Meeting
    table: Table
    persons: Mapping[str, Person]
    publication: Publication | None  # None: no Woo decision yet
    approving_meeting: Meeting | None = None

    def redactions(self) -> list[RedactionEntry]:
        return redactions(self.minutes, self.meeting, self.table, self.persons,
                          self.publication)

    def render(self, published: Decision | None = None) -> PublicMinutes:
        return render_public(self.minutes, self.meeting, self.table, self.persons,
                             self.publication, approving_meeting=self.approving_meeting,
                             published=published)
