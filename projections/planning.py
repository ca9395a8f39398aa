"""Views of time: what falls due soon, documents' punctuality, a table's rhythm, the calendar
to export, and the minutes laid out as a document.

Each function reads the read model through a `Views` (the aggregates' states in `view_state`
and the query tables), and works out deadlines with the domain's own rules
(`TableRules`, `working_days`). SQL is portable: `?` placeholders, standard SQL, and a WHERE
clause holding only the filters that were given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from lrt_app.minutes_render import attendance, member_label, short_name
from lrt_domain import working_days
from lrt_domain.actions import Action
from lrt_domain.directory import Organisation, Person
from lrt_domain.documents import Document
from lrt_domain.dutch_time import AMSTERDAM, local, local_date
from lrt_domain.errors import InvalidInput
from lrt_domain.meetings import Meeting, MeetingStatus
from lrt_domain.minutes import Minutes, MinutesStatus
from lrt_domain.tables import Table, TableRules, add_months

from .common import StateSource, documents_of, round_comments, title_of, when, where
from .read_model import stamp
from .shapes import (ActionRow, CalendarEntries, CalendarEvent, CalendarTodo, DocumentTiming,
                     DueRow, MeetingDocumentsDue, MinutesDocument, MinutesView, Punctuality,
                     PunctualityRow, PunctualityTotals, RhythmRow, RulesRow, TableOverview,
                     TableRow)


def rules_json(rules: TableRules) -> RulesRow:
    return {"documents_due_days": rules.documents_due_days,
            "comment_round_days": rules.comment_round_days,
            "approval": rules.approval.value,
            "written_procedure_days": rules.written_procedure_days,
            "reminder_hours": list(rules.reminder_hours),
            "action_notice_days": rules.action_notice_days}


def late_by(minutes: int) -> str:
    """'2d 3h 05m' (calendar time)."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return (f"{days}d " if days else "") + f"{hours}h {mins:02d}m"


def _documents_of(v: StateSource, meeting: str) -> list[Document]:
    return documents_of(v.model, [meeting]).get(meeting, [])


def _meetings(v: StateSource, *conditions: tuple[str, tuple[Any, ...]] | None) -> list[Meeting]:
    clause, params = where(*conditions)
    rows = v.model.query(f"SELECT key FROM view_meetings{clause} ORDER BY starts_at", params)
    by_key = {m.key: m for m in v.model.states(Meeting, [r["key"] for r in rows])}
    return [by_key[r["key"]] for r in rows if r["key"] in by_key]


# --- documents: due and late ------------------------------------------------------------

def document_timing(table: Table, meeting: Meeting, doc: Document, now: datetime
                    ) -> DocumentTiming:
    """When a document was due (the rules in force on the meeting's day), and whether it was
    late: sent after that, or not sent while the due time has passed."""
    rules = table.rules_at(meeting.starts_at)
    due = rules.documents_due(meeting.starts_at)
    late_minutes = None
    if doc.sent_at is not None and doc.sent_at > due:
        late_minutes = int((doc.sent_at - due).total_seconds() // 60)
    return {"due": when(due), "rule_days": rules.documents_due_days,
            "late": (doc.sent_at or now) > due,
            "late_minutes": late_minutes,
            "late_by": late_by(late_minutes) if late_minutes is not None else None,
            "notice_days": working_days.notice(doc.sent_at, meeting.starts_at)
            if doc.sent_at else None}


def meeting_documents_due(v: StateSource, key: str, now: datetime) -> MeetingDocumentsDue:
    m: Meeting = v.get(Meeting, key)
    t: Table = v.get(Table, m.table)
    rules = t.rules_at(m.starts_at)
    return {"documents_due": when(rules.documents_due(m.starts_at)),
            "documents_due_days": rules.documents_due_days,
            "documents": {d.key: document_timing(t, m, d, now) for d in _documents_of(v, key)}}


def document_due(v: StateSource, key: str, now: datetime) -> DocumentTiming:
    d: Document = v.get(Document, key)
    return document_timing(v.get(Table, d.table), v.get(Meeting, d.meeting), d, now)


def punctuality(v: StateSource, table: str, year: int, now: datetime) -> Punctuality:
    """Per meeting of `table` in `year` (cancelled ones left out): its documents on time,
    late (and how late), and not sent."""
    t: Table = v.get(Table, table)
    if not 1900 <= year <= 9999:
        raise InvalidInput(f"year: {year} is not a year")
    meetings = _meetings(v, ("table_code = ?", (table,)), ("day >= ?", (f"{year}-01-01",)),
                         ("day <= ?", (f"{year}-12-31",)), ("status <> ?", ("cancelled",)))
    out: list[PunctualityRow] = []
    totals = PunctualityTotals(meetings=0, documents=0, on_time=0, late=0, unsent=0)
    for m in meetings:
        rules = t.rules_at(m.starts_at)
        docs = _documents_of(v, m.key)
        row: PunctualityRow = {
            "meeting": m.key, "starts_at": when(m.starts_at), "status": m.status.value,
            "rule_days": rules.documents_due_days,
            "due": when(rules.documents_due(m.starts_at)), "documents": len(docs),
            "on_time": 0, "late": 0, "unsent": 0, "latest": None, "late_documents": []}
        worst = -1
        for d in docs:
            timing = document_timing(t, m, d, now)
            if d.sent_at is None:
                row["unsent"] += 1
            elif timing["late_minutes"] is None:
                row["on_time"] += 1
            else:
                row["late"] += 1
                row["late_documents"].append({
                    "key": d.key, "title": d.title, "sent_at": when(d.sent_at),
                    "late_by": timing["late_by"], "late_minutes": timing["late_minutes"],
                    "notice_days": timing["notice_days"]})
                if timing["late_minutes"] is not None and timing["late_minutes"] > worst:
                    worst, row["latest"] = timing["late_minutes"], timing["late_by"]
        totals["documents"] += row["documents"]
        totals["on_time"] += row["on_time"]
        totals["late"] += row["late"]
        totals["unsent"] += row["unsent"]
        totals["meetings"] += 1
        out.append(row)
    return {"table": t.key, "year": year, "meetings": out, "totals": totals}


# --- what falls due soon ----------------------------------------------------------------

def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=AMSTERDAM)


def due_soon(v: StateSource, now: datetime, within: timedelta, actions: list[ActionRow],
             *, table: str | None = None) -> list[DueRow]:
    """Comment rounds and written procedures closing, documents due, actions due, until
    `now + within`; what is overdue (documents not sent in time for a meeting still to
    come, actions past their date, a written procedure ended but its approval not recorded)
    is always listed, first."""
    if within < timedelta(0):
        raise InvalidInput("within: must not be negative")
    if table is not None:
        v.get(Table, table)
    horizon = now + within
    tables: dict[str, Table] = {}

    def table_of(code: str) -> Table:
        if code not in tables:
            tables[code] = v.get(Table, code)
        return tables[code]

    rows: list[tuple[datetime, DueRow]] = []
    in_table = ("table_code = ?", (table,)) if table else None

    # comment rounds closing (a round not yet closed is its subject's current one)
    clause, params = where(("deadline >= ?", (stamp(now),)),
                            ("deadline <= ?", (stamp(horizon),)), in_table)
    for r in v.model.query("SELECT subject, subject_kind, number, table_code, meeting "
                           f"FROM view_rounds{clause} ORDER BY deadline", params):
        cls = Minutes if r["subject_kind"] == Minutes.KIND else Document
        subject = v.get(cls, r["subject"])
        rnd = subject.rounds[r["number"] - 1]
        t = table_of(r["table_code"])
        commented = {c.person for c in round_comments(v.model, [subject])[subject.key].get(
            rnd.number, [])}
        waiting = sorted({m.person for m in t.members_on(local_date(now))} - commented)
        rows.append((rnd.deadline, {
            "kind": "comment round", "subject": subject.key,
            "title": title_of(subject),
            "table": t.key, "meeting": subject.meeting, "due": when(rnd.deadline),
            "overdue": False, "waiting_on": waiting}))

    # written procedures closing, or ended without the approval recorded
    clause, params = where(("status <> ?", ("approved",)), in_table)
    keys = [r["key"] for r in v.model.query(f"SELECT key FROM view_minutes{clause}", params)]
    for mins in v.model.states(Minutes, keys):
        wp = mins.written_procedure
        if wp is None or wp.deadline > horizon:
            continue
        ended = wp.deadline < now
        if ended and wp.objections:
            continue  # it goes to a meeting: nothing falls due at a date
        rows.append((wp.deadline, {
            "kind": "approval" if ended else "written procedure", "subject": mins.key,
            "title": (f"vaststelling verslag {mins.meeting}: schriftelijke procedure "
                      "afgelopen" if ended else f"schriftelijke procedure verslag "
                      f"{mins.meeting}"),
            "table": mins.table, "meeting": mins.meeting,
            "due": when(wp.deadline), "overdue": ended,
            "waiting_on": [table_of(mins.table).secretariat] if ended
            else []}))

    # documents due for meetings still to come
    for m in _meetings(v, ("status = ?", ("planned",)), ("starts_at > ?", (stamp(now),)),
                       in_table):
        t = table_of(m.table)
        due = t.rules_at(m.starts_at).documents_due(m.starts_at)
        if due > horizon:
            continue
        for d in _documents_of(v, m.key):
            if d.sent_at is None:
                rows.append((due, {
                    "kind": "document", "subject": d.key, "title": d.title, "table": t.key,
                    "meeting": m.key, "due": when(due), "overdue": due < now,
                    "waiting_on": [t.secretariat]}))

    # actions due (a date, or the next meeting's date)
    last_day = local_date(horizon)
    for a in actions:  # the register's outstanding actions (`Views.actions`)
        if a["due"] and date.fromisoformat(a["due"]) <= last_day:
            rows.append((_end_of(date.fromisoformat(a["due"])), {
                "kind": "action", "subject": a["key"], "title": a["text"],
                "table": a["table"], "meeting": a["meeting"], "due": a["due"],
                "overdue": a["overdue"], "waiting_on": a["owners"]}))

    rows.sort(key=lambda r: (not r[1]["overdue"], r[0], r[1]["kind"], r[1]["subject"]))
    return [row for _, row in rows]


# --- a table's rhythm -------------------------------------------------------------------

def rhythm(v: StateSource, t: Table, now: datetime) -> RhythmRow:
    """The rhythm against the meetings held: when the next one is due, and whether the next
    planned meeting is in time."""
    today = local_date(now)
    meetings = _meetings(v, ("table_code = ?", (t.key,)))
    held = [m for m in meetings if m.took_place]
    last = held[-1] if held else None
    next_due = t.next_meeting_due(local_date(last.starts_at)) if last else None
    planned = [m for m in meetings if m.status is MeetingStatus.PLANNED and m.starts_at > now]
    nxt = planned[0] if planned else None
    year_ago = add_months(today, -12)
    return {
        "meetings_per_year": t.meetings_per_year,
        "last_held": {"meeting": last.key, "date": local_date(last.starts_at).isoformat()}
        if last else None,
        "next_due": next_due.isoformat() if next_due else None,
        "next_planned": {"meeting": nxt.key, "date": local_date(nxt.starts_at).isoformat()}
        if nxt else None,
        "planned_in_time": (local_date(nxt.starts_at) <= next_due)
        if nxt and next_due else None,
        "behind": bool(next_due and next_due < today),
        "held_last_12_months": sum(1 for m in held
                                   if year_ago < local_date(m.starts_at) <= today),
    }


def table_overview(v: StateSource, key: str, now: datetime, row: TableRow
                   ) -> TableOverview:
    """`row`: the table as `Views.table` shows it."""
    t: Table = v.get(Table, key)
    return {**row, "rules": rules_json(t.rules_on(local_date(now))),
            "rules_changes": [{"number": c.number,
                               "effective_from": c.effective_from.isoformat(),
                               **rules_json(c.rules)} for c in t.rules_changes],
            "rhythm": rhythm(v, t, now)}


# --- the calendar -----------------------------------------------------------------------

def calendar_entries(v: StateSource, now: datetime, register: list[ActionRow], *,
                     table: str | None = None, person: str | None = None) -> CalendarEntries:
    """Meetings, comment deadlines, written procedures and actions, for a table or a person
    (the meetings of the tables they are a member of on the day, or are invited to; the
    rounds they may comment in; the actions of the organisations they represent)."""
    if table is not None:
        v.get(Table, table)
    if person is not None:
        v.get(Person, person)
    in_table = ("table_code = ?", (table,)) if table else None
    tables = {t.key: t for t in v.model.states(Table)}

    def member(t: Table, day: date) -> bool:
        return person is not None and t.membership_of(person, day) is not None

    def concerns(m: Meeting) -> bool:
        return person is None or member(tables[m.table], local_date(m.starts_at)) or \
            person in m.guests or any(a.person == person for a in m.attendance)

    meetings = {m.key: m for m in _meetings(v, in_table)}
    events: list[CalendarEvent] = []
    for m in meetings.values():
        if not concerns(m):
            continue
        t = tables[m.table]
        events.append({"kind": "meeting", "key": m.key, "uid": f"{m.id}@lrt",
                       "table": t.key, "table_name": t.name, "starts_at": m.starts_at,
                       "place": m.place, "status": m.status.value,
                       "sequence": m.reschedules + (m.status is MeetingStatus.CANCELLED),
                       "agenda": [(i.number, i.title) for i in m.agenda],
                       "created": m.created_on, "modified": m.modified_on})

    todos: list[CalendarTodo] = []
    clause, params = where(in_table)
    for r in v.model.query("SELECT subject, subject_kind, number, table_code FROM "
                           f"view_rounds{clause} ORDER BY deadline", params):
        cls = Minutes if r["subject_kind"] == Minutes.KIND else Document
        subject = v.get(cls, r["subject"])
        rnd = subject.rounds[r["number"] - 1]
        comments = round_comments(v.model, [subject])[subject.key].get(rnd.number, [])
        meeting = meetings.get(subject.meeting) or v.get(Meeting, subject.meeting)
        t = tables[r["table_code"]]
        if person is not None and not (member(t, local_date(rnd.deadline))
                                       or person in meeting.guests):
            continue
        done = person is not None and any(c.person == person for c in comments)
        is_open = rnd.is_open(now)
        title = title_of(subject)
        todos.append({
            "kind": "comment round", "key": f"{subject.key}#{rnd.number}",
            "uid": f"{subject.id}-round-{rnd.number}@lrt",
            "summary": f"Opmerkingen {t.key}: {title}",
            "description": f"Commentaarronde {rnd.number} op {title} ({subject.key}); "
                           f"{len(comments)} opmerking(en) ontvangen.",
            "due": rnd.deadline, "date_only": False,
            "status": "COMPLETED" if done else ("NEEDS-ACTION" if is_open else
                                                "CANCELLED" if person else "COMPLETED"),
            "related": f"{meeting.id}@lrt", "created": rnd.opened_at,
            # a comment in its own stream changes the round, not its subject
            "modified": max([subject.modified_on, *(c.recorded_at for c in comments
                                                     if c.recorded_at is not None)])})
    clause, params = where(in_table)
    minutes_keys = [r["key"] for r in v.model.query(f"SELECT key FROM view_minutes{clause}",
                                                    params)]
    for mins in v.model.states(Minutes, minutes_keys):
        wp = mins.written_procedure
        t = tables[mins.table]
        if wp is None or (person is not None and not member(t, local_date(wp.deadline))):
            continue
        approved = mins.status is MinutesStatus.APPROVED
        todos.append({
            "kind": "written procedure", "key": f"{mins.key}#procedure",
            "uid": f"{mins.id}-procedure@lrt",
            "summary": f"Schriftelijke procedure {t.key}: verslag {mins.key}",
            "description": "Vaststelling van het verslag bij stilzwijgende instemming: "
                           "bezwaren tot de deadline.",
            "due": wp.deadline, "date_only": False,
            "status": "COMPLETED" if approved or wp.deadline < now else "NEEDS-ACTION",
            "related": f"{Meeting.id_for(mins.key)}@lrt", "created": wp.started_at,
            "modified": mins.modified_on})

    organisations: dict[str, set[str]] = {}
    if person is not None:
        for t in tables.values():
            organisations[t.key] = {m.organisation for m in t.memberships
                                    if m.person == person}
    # `register`: the action register, closed ones too (`Views.actions`)
    actions = {a.key: a for a in v.model.states(Action, [r["key"] for r in register])}
    for row in register:
        a: Action = actions[row["key"]]
        if person is not None and not organisations.get(a.table, set()) & set(a.owners):
            continue
        todos.append({
            "kind": "action", "key": a.key, "uid": f"{a.id}@lrt",
            "summary": f"Actie {a.key}: {a.text}",
            "description": f"Actie van {', '.join(a.owners)}, afgesproken in {a.agreed_at} "
                           f"onder agendapunt {a.item}"
                           + (f"; verplaatst naar {a.meeting}" if a.carried_over else "")
                           + ("" if row["due"] or not row["before_next_meeting"]
                              else "; voor de volgende vergadering"),
            "due": date.fromisoformat(row["due"]) if row["due"] else None,
            "date_only": True,
            "status": {"done": "COMPLETED", "cancelled": "CANCELLED"}.get(
                a.status.value, "IN-PROCESS" if a.progress else "NEEDS-ACTION"),
            "related": f"{Meeting.id_for(a.meeting)}@lrt", "created": a.created_on,
            "modified": a.modified_on, "owners": list(a.owners)})
    name = " ".join(x for x in ("LRT-agenda", table, person) if x)
    return {"name": name, "events": events, "todos": todos}


# --- the minutes as a document ----------------------------------------------------------

def minutes_document(v: StateSource, data: MinutesView, key: str) -> MinutesDocument:
    """The minutes (`data`, as `Views.minutes` shows them), with what the layout of the
    seeds needs: each
    attendee as "title name (organisation)", the organisations' names, and the date of
    the meeting that approved them."""
    meeting: Meeting = v.get(Meeting, key)
    table: Table = v.get(Table, meeting.table)
    day = local_date(meeting.starts_at)
    wanted = {a.person for a in meeting.attendance} | {
        a.substitute_for for a in meeting.attendance if a.substitute_for}
    persons = {p.key: p for p in v.model.states(Person, sorted(wanted))}

    def label(key: str) -> str:  # as the seeds write it: "Dhr. Van der Maat (SJenV)"
        return member_label(short_name(persons.get(key), key), table.membership_of(key, day))

    present, absent = attendance(meeting, label)
    approval_date = None
    if data["approval"] and data["approval"]["at_meeting"]:
        at = v.model.state(Meeting, data["approval"]["at_meeting"])
        approval_date = local_date(at.starts_at).isoformat() if at else None
    amended_by = []
    if data["approval"]:
        accepted = set(data["approval"]["amendments"])
        amended_by = list(dict.fromkeys(a["organisation"] for a in data["amendments"]
                                        if a["number"] in accepted))
    secretariat = v.model.state(Organisation, table.secretariat)
    return {**data, "starts_at_local": local(meeting.starts_at).isoformat(),
            "secretariat": table.secretariat,
            "secretariat_name": secretariat.name if secretariat else None,
            "present": present, "absent": absent,
            "approval_date": approval_date, "amended_by": amended_by,
            "round_deadline": data["comment_rounds"][-1]["deadline"]
            if data["comment_rounds"] else None}


__all__: Sequence[str] = ["due_soon", "punctuality", "table_overview", "calendar_entries",
                          "minutes_document", "document_due", "meeting_documents_due"]
