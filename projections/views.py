"""What people read: the current minutes, the comment deadlines, the action register, the
meeting calendar with attendance, the members of a table.

`Views.open` catches the read model up from its last position, then every query reads the
view tables only. Results are the typed JSON shapes of `projections.shapes`: the `--json`
output of the CLI.

The domain's models (and the application) are imported by the queries that read them, not
with this module: a query on the read model's rows, whose read rules read plain rows too
(`_ruled`), builds no pydantic model and imports no event class (issue 16, point 4; on the
read side alone, `projections.reading`, it imports no application either).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from lrt_domain import read_rules
from lrt_domain.dutch_time import local_date
from lrt_domain.errors import Forbidden, NotFound, RuleViolation
from lrt_domain.read_rules import State, View
from lrt_domain.roles import Acting, aggregate_id

from .common import (ModelSource, amendments_of, comment_counts, comment_texts, documents_of,
                     matching, round_comments, subject_of, text_of, title_of, when, where)

if TYPE_CHECKING:  # (at run time imported where used: see the module's note)
    from lrt_app.application import Lrt
    from lrt_app.woo import WooStates
    from lrt_domain.actions import Action
    from lrt_domain.base import Aggregate
    from lrt_domain.comments import Comment
    from lrt_domain.proposals import Proposal
    from lrt_domain.directory import Organisation, Person, User
    from lrt_domain.documents import Document
    from lrt_domain.meetings import Meeting, Presence
    from lrt_domain.minutes import Minutes, MinutesStatus
    from lrt_domain.tables import Table
    from . import planning
    from .as_of import AsOfModel, position_at
    from .catch_up import bring_up_to_date, open_read_model
    from .history import history
    from .shapes import (ActionRow, HistoryRow, OutboxRow, ActionView, AttendanceRow, CalendarEntries, CommentRow,
                         DeadlineRow, DocumentTiming, DocumentView, DueRow, MeetingDocumentsDue,
                         MeetingListRow, MeetingView, MemberRow, MinutesDocument, MinutesListRow, MinutesView,
                         OrganisationRow, PersonRow, Punctuality, TableOverview, TableRow, UserRow)
    from .read_model import ReadModel, stamp
    from .reading import ReadSide, Reading, StateQueries


F = TypeVar("F", bound=Callable[..., Any])


def reads(*views: View) -> Callable[[F], F]:
    """Names the read rules (`lrt_domain.read_rules.RULES`) a public query answers by; a
    test holds every public query of `Views` to naming one."""
    def mark(query: F) -> F:
        query.read_rules = views  # type: ignore[attr-defined]
        return query
    return mark


class Views:
    """The views now, or (`as_of`) as they stood at an earlier record time.

    With an `actor` (the CLI's acting user), every query asks `lrt_domain.read_rules`: a
    view refused is a `Forbidden`, a list leaves out what the actor may not read. Without
    one (verification, rendering an export already allowed), the views are unfiltered."""

    def __init__(self, app: Lrt | ReadSide, model: ReadModel | AsOfModel | Reading,
                 moment: datetime | None = None, actor: Acting | None = None):
        self.app = app
        self.model = model
        self.moment = moment  # None: now
        self.actor = actor
        self.behind = 0  # events recorded that these views had not applied when opened
        self._states: dict[tuple[type[Aggregate], str], Any] = {}
        self._rows: dict[tuple[str, str], Any] = {}  # what the read rules read (`_ruled`)

    @classmethod
    def open(cls, app: Lrt, *, catch_up_first: bool = True,
             actor: Acting | None = None) -> Views:
        from .catch_up import bring_up_to_date, open_read_model

        model = open_read_model(app)
        views = cls(app, model, actor=actor)
        if catch_up_first:  # or, a login that may not write them, wait for the follower
            views.behind = bring_up_to_date(app, model)
        return views

    @classmethod
    def alone(cls, side: ReadSide, user: str | None) -> Views | None:
        """The views on the read side alone (`projections.reading`), for `user` as the read
        model holds them; None where the application must answer (`cli.session`)."""
        found = side.reader(user)
        if found is None:
            return None
        model, actor = found
        return cls(side, model, actor=actor)

    @classmethod
    def as_of(cls, app: Lrt, moment: datetime, actor: Acting | None = None) -> Views:
        """The views as recorded at `moment`: what the system said then."""
        from .as_of import AsOfModel, position_at
        from .catch_up import bring_up_to_date, open_read_model

        live = open_read_model(app)
        bring_up_to_date(app, live)
        if live.outdated():  # a read-only login cannot bring it up to date
            raise RuleViolation("as-of: the read model predates as-of views; someone who "
                                "may write must run 'lrt projections rebuild'")
        return cls(app, AsOfModel(live, app, position_at(live, moment)), moment, actor)

    # --- the read rules (lrt_domain.read_rules) -------------------------------------

    def _cached(self, cls: type[Aggregate], key: str) -> Any:
        if (cls, key) not in self._states:
            self._states[cls, key] = self.model.state(cls, key)
        return self._states[cls, key]

    def _ruled(self, kind: str, key: str) -> Any:
        """A meeting, table or minutes as the read rules read them (`read_rules.TableLike`,
        `MeetingLike`; minutes: `MinutesRow`), once per query. Now: plain rows of the read
        model's state JSON, no pydantic model built (a query reads its rows in SQL, so a
        command such as `action list` imports none of the domain's models); as of a moment:
        the states then (`AsOfModel`)."""
        if (kind, key) not in self._rows:
            self._rows[kind, key] = self._rule_row(kind, key)
        return self._rows[kind, key]

    def _rule_row(self, kind: str, key: str) -> Any:
        if self.moment is not None:  # as of a moment: the state then
            from lrt_domain.catalogue import AGGREGATES

            state: Any = self.model.state(AGGREGATES[kind], key)
            if kind != read_rules.MINUTES_KIND or state is None:
                return state  # a Table, a Meeting: what the rules read of them
            approved = state.approval is not None \
                and state.status.value == read_rules.APPROVED_STATUS
            return read_rules.MinutesRow(state.approval.approved_at if approved else None)
        live = cast("StateQueries", self.model)  # now: the read model itself
        rows = live.state_rows("s.id = ? AND s.kind = ?", (aggregate_id(kind, key).hex, kind))
        if not rows:
            return None
        text = live.state_text(rows[0])
        made = {read_rules.TABLE_KIND: read_rules.TableRow.of,
                read_rules.MEETING_KIND: read_rules.MeetingRow.of,
                read_rules.MINUTES_KIND: read_rules.MinutesRow.of}[kind]
        return made(json.loads(text or ""))

    def may(self, view: View, *, meeting: str | None = None, table: str | None = None,
            actor: Acting | None = None) -> bool:
        """Whether the actor may read `view` of this meeting (or table), on the day these
        views answer for, in the state of the meeting's minutes."""
        actor = actor or self.actor
        if actor is None:
            return True
        m = self._ruled(read_rules.MEETING_KIND, meeting) if meeting else None
        if m is not None:
            table = m.table
        t = self._ruled(read_rules.TABLE_KIND, table) if table else None
        day = local_date(self.now())
        answer = read_rules.settled(actor, view, t, day=day, meeting=m)
        if answer is not None:  # whatever the state of the minutes: not read
            return answer
        state, approved_on = State.DRAFT, None
        minutes = self._ruled(read_rules.MINUTES_KIND, meeting) if meeting else None
        if minutes is not None and minutes.approved_at is not None:
            state, approved_on = State.APPROVED, local_date(minutes.approved_at)
            # (published minutes add no reader to these views: the public reads the Woo
            # text itself; a test holds RULES to it)
        return read_rules.may_read(actor, view, t, day=day, meeting=m, state=state,
                                   approved_on=approved_on)

    def require(self, view: View, what: str, *, meeting: str | None = None,
                table: str | None = None, actor: Acting | None = None) -> None:
        actor = actor or self.actor
        if actor is not None and not self.may(view, meeting=meeting, table=table,
                                              actor=actor):
            raise Forbidden(f"user {actor.user} ({actor.role}) may not read "
                                       f"{what}")

    def position(self) -> int:
        """The position in the log these views answer for."""
        if self.moment is not None:  # as of a moment (`AsOfModel`)
            return cast("AsOfModel", self.model).position
        return cast("ReadModel | Reading", self.model).max_tracking_id(self.app.name) or 0

    def _application(self) -> Lrt:
        """The application, for a query that reads the log itself (`history`): the read
        side alone (`projections.reading.ReadSide`) builds it then."""
        built = getattr(self.app, "application", None)
        return cast("Lrt", built() if built is not None else self.app)

    def event_at(self, position: int) -> tuple[str, int] | None:
        """The event at a position of the log: its aggregate's id (hex) and version."""
        rows = self.model.query("SELECT id, version FROM view_versions WHERE position = ?",
                                (position,))
        return (rows[0]["id"], rows[0]["version"]) if rows else None

    def now(self) -> datetime:
        """The moment the views answer for: the record time asked for, or now."""
        return self.moment or self.app.clock.now()

    def get(self, cls: type[Aggregate], key: str) -> Any:
        return self._get(cls, key)

    def _get(self, cls: type[Aggregate], key: str) -> Any:
        state = self.model.state(cls, key)
        if state is None:
            raise NotFound(f"{cls.KIND}: no {cls.KIND} {key!r}")
        return state

    # --- minutes ------------------------------------------------------------------

    @reads(View.MINUTES)
    def minutes(self, actor: Acting, key: str) -> MinutesView:
        from lrt_domain.meetings import Meeting
        from lrt_domain.minutes import Minutes
        from lrt_domain.tables import Table

        m: Minutes = self._get(Minutes, key)
        meeting: Meeting = self._get(Meeting, m.meeting)
        table: Table = self._get(Table, m.table)
        self.require(View.MINUTES, f"the minutes of meeting {m.meeting}", meeting=m.meeting,
                     actor=actor)
        said = comment_counts(self.model, m)
        return {
            "meeting": m.meeting, "table": m.table, "table_name": table.name,
            "starts_at": when(meeting.starts_at), "place": meeting.place,
            "status": m.status.value, "version": m.text_version,
            "attendance": self._attendance(meeting),
            "items": [{"number": it.number, "title": it.title,
                       "points": [{"kind": p.kind.value, "text": p.text} for p in it.points]}
                      for it in m.items],
            "amendments": [{"number": a.number, "organisation": a.organisation,
                            "item": a.item, "point": a.point, "text": a.text,
                            "status": a.status.value, "reason": a.reason,
                            "version": a.version} for a in amendments_of(self.model, m)],
            "comment_rounds": [{"number": r.number, "deadline": when(r.deadline),
                                "comments": said.get(r.number, 0)} for r in m.rounds],
            "approval": None if m.approval is None else {
                "at_meeting": m.approval.at_meeting,
                "written_procedure": m.approval.at_meeting is None,
                "version": m.approval.text_version,
                "amendments": list(m.approval.amendments),
                "recorded_at": when(m.approval.approved_at),
                "text_digest": m.approval.text_digest,
                "chain_head": m.approval.chain_head,
                "chain_length": m.approval.chain_length},
            "corrections": [{"number": c.number, "item": c.item, "point": c.point,
                             "text": c.text, "reason": c.reason,
                             "of_version": c.of_version} for c in m.corrections],
        }

    @reads(View.MINUTES)
    def require_approved(self, key: str, day: date) -> None:
        """For "official on date D": the minutes must have been approved by then."""
        from lrt_domain.minutes import Minutes, MinutesStatus

        if self.model.state(Minutes, key) is None:  # drafted after D, or never
            raise RuleViolation(f"minutes {key} were not approved on {day.isoformat()} "
                                "(there were no minutes then)")
        m: Minutes = self._get(Minutes, key)
        self.require(View.MINUTES, f"the minutes of meeting {key}", meeting=key)
        if m.status is not MinutesStatus.APPROVED:
            raise RuleViolation(f"minutes {key} were not approved on {day.isoformat()} "
                                f"(status then: {m.status.value})")

    @reads(View.MINUTES)
    def minutes_list(self, table: str | None = None) -> list[MinutesListRow]:
        clause, params = where(matching("n.table_code = ?", table))
        rows = self.model.query(
            "SELECT n.key AS meeting, n.table_code AS \"table\", n.status, "
            "n.text_version AS version, m.day AS date FROM view_minutes n "
            f"JOIN view_meetings m ON m.key = n.meeting{clause} ORDER BY m.starts_at", params)
        return [cast("MinutesListRow", r) for r in rows
                if self.may(View.MINUTES, meeting=r["meeting"])]

    def _attendance(self, meeting: Meeting) -> list[AttendanceRow]:
        from lrt_domain.directory import Person

        persons = {p.key: p for p in self.model.states(
            Person, [a.person for a in meeting.attendance])}
        return [{"person": a.person,
                 "name": persons[a.person].name if a.person in persons else a.person,
                 "presence": a.presence.value, "substitute_for": a.substitute_for}
                for a in meeting.attendance]

    @reads(View.MINUTES, View.DOCUMENTS)
    def comments(self, actor: Acting, key: str) -> list[CommentRow]:
        """Every comment on minutes or a document, round by round."""
        subject = subject_of(self.model, key)
        if subject is None:
            raise NotFound(f"id: no minutes or document {key!r}")
        self._subject_rule(subject, actor)
        by_round = round_comments(self.model, [subject])[subject.key]
        said = [c for r in subject.rounds for c in by_round.get(r.number, [])]
        texts = comment_texts(self.model, said)
        return [{"round": c.round, "number": c.number, "person": c.person,
                 "organisation": c.organisation, "received_at": when(c.received_at),
                 "text": text_of(c, texts)} for c in said]

    def _subject_rule(self, subject: Minutes | Document, actor: Acting | None = None) -> None:
        from lrt_domain.documents import Document

        if isinstance(subject, Document):
            self.require(View.DOCUMENTS, f"document {subject.key}", meeting=subject.meeting,
                         actor=actor)
        else:
            self.require(View.MINUTES, f"the minutes of meeting {subject.meeting}",
                         meeting=subject.meeting, actor=actor)

    def visible(self, view: View, key: str) -> bool:
        """Whether a row of a list may be shown: by `view`'s rule for the meeting the row
        belongs to, in the state of its minutes. Every key names that meeting: the meeting
        or its minutes (`LRT-2023-11-10`), a document or an action (`.../D1`, `.../A1`: an
        action by the meeting that agreed it), a round or a procedure (`...#2`)."""
        meeting = key.split("#")[0]
        if "/" in meeting:
            meeting = meeting.rsplit("/", 1)[0]
        return self.may(view, meeting=meeting)

    # --- comment deadlines --------------------------------------------------------

    @reads(View.DEADLINES)
    def deadlines(self, now: datetime, *, table: str | None = None,
                  include_closed: bool = False) -> list[DeadlineRow]:
        """Comment rounds, soonest deadline first: who commented and who did not yet."""
        from .read_model import stamp
        from .shapes import DeadlineRow
        from lrt_domain.documents import Document
        from lrt_domain.minutes import Minutes
        from lrt_domain.tables import Table

        clause, params = where(
            None if include_closed else ("deadline >= ?", (stamp(now),)),
            matching("table_code = ?", table))
        # each subject's current round (read_model._round_tables): one index range
        rows = [r for r in self.model.query(f"SELECT * FROM view_current_rounds{clause} "
                                            "ORDER BY deadline", params)
                if self.visible(View.DEADLINES, r["subject"])]  # before reading subjects
        # the minutes and tables, each read once (`_cached`), the documents at once
        subjects: dict[tuple[str, str], Minutes | Document] = {
            (d.KIND, d.key): d for d in self.model.states(
                Document, [r["subject"] for r in rows if r["subject_kind"] == Document.KIND])}
        for r in rows:
            if r["subject_kind"] == Minutes.KIND:
                subjects[Minutes.KIND, r["subject"]] = self._cached(Minutes, r["subject"])
        tables: dict[str, Table] = {r["table_code"]: self._cached(Table, r["table_code"])
                                    for r in rows}
        said = round_comments(self.model, subjects.values())
        out = []
        for row in rows:
            cls = Minutes if row["subject_kind"] == Minutes.KIND else Document
            subject = subjects[cls.KIND, row["subject"]]
            t = tables[row["table_code"]]
            rnd = subject.rounds[row["number"] - 1]
            comments = said[subject.key].get(rnd.number, [])
            commented = sorted({c.person for c in comments})
            day = min(local_date(now), local_date(rnd.deadline))
            members = sorted({m.person for m in t.members_on(day)})
            out.append(DeadlineRow({
                "subject": subject.key, "kind": cls.KIND,
                "title": title_of(subject),
                "table": t.key, "round": rnd.number, "deadline": when(rnd.deadline),
                "open": rnd.is_open(now), "comments": len(comments),
                "commented": commented,
                "not_commented": [p for p in members if p not in commented],
            }))
        return out

    # --- the action register ------------------------------------------------------

    @reads(View.ACTIONS)
    def actions(self, today: date, *, table: str | None = None, owner: str | None = None,
                include_closed: bool = False) -> list[ActionRow]:
        """Per owner and table, overdue first. 'Before the next meeting' is due on the date
        of the table's next meeting that is not cancelled (unknown until one is planned)."""
        clause, params = where(
            None if include_closed else ("a.outstanding = 1", ()),
            matching("a.table_code = ?", table),
            matching("EXISTS (SELECT 1 FROM view_action_owners o "
                     "WHERE o.source = a.source AND o.organisation = ?)", owner))
        rows = self.model.query(
            """
            SELECT a.key, a.table_code AS "table", a.meeting, a.item, a.text, a.status,
                   a.carried_over, a.due IS NULL AS before_next_meeting,
                   COALESCE(a.due, (
                       SELECT n.day FROM view_meetings n
                       WHERE n.table_code = a.table_code AND n.status != 'cancelled'
                         AND n.starts_at > m.starts_at
                       ORDER BY n.starts_at LIMIT 1)) AS due
            FROM view_actions a JOIN view_meetings m ON m.key = a.meeting
            """ + clause, params)
        owners: dict[str, list[str]] = {}
        # the owners of the listed actions only: all of them would grow with the history
        for o in self.model.query("SELECT o.action, o.organisation FROM view_action_owners o "
                                  f"JOIN view_actions a ON a.source = o.source{clause} "
                                  "ORDER BY o.organisation", params):
            owners.setdefault(o["action"], []).append(o["organisation"])
        # an action is read by the state of the minutes that agreed it (its key names them)
        rows = [r for r in rows if self.visible(View.ACTIONS, r["key"])]
        register = cast("list[ActionRow]", rows)
        today_s = today.isoformat()
        for r in rows:
            r["text"] = self.model.unseal(r["text"], f"action/{r['key']}")  # its text_place
            r["owners"] = owners.get(r["key"], [])
            r["before_next_meeting"] = bool(r["before_next_meeting"])
            r["overdue"] = bool(r["status"] in ("open", "carried over") and r["due"]
                                and r["due"] < today_s)
        register.sort(key=lambda r: (not r["overdue"],
                                     r["status"] not in ("open", "carried over"),
                                     r["due"] is None, r["due"] or "", r["table"], r["key"]))
        return register

    @reads(View.ACTIONS)
    def action(self, key: str) -> ActionView:
        from lrt_domain.actions import Action

        a: Action = self._get(Action, key)
        self.require(View.ACTIONS, f"action {key}", meeting=a.agreed_at)
        return {**a.model_dump(mode="json", exclude={"id", "created_on", "modified_on"}),
                "progress": [{"reported_at": when(p.reported_at), "by": p.by,
                              "organisation": p.organisation, "note": p.note}
                             for p in a.progress]}

    # --- meetings -----------------------------------------------------------------

    @reads(View.MEETINGS)
    def meeting_rows(self, *, table: str | None = None) -> list[MeetingListRow]:
        """The meetings the actor may read, by starting time, as the read model's query
        table holds them (no state read: shell completion names them with these)."""
        clause, params = where(matching("table_code = ?", table))
        rows = self.model.query(
            "SELECT key, table_code AS \"table\", starts_at, place, status "
            f"FROM view_meetings{clause} ORDER BY starts_at", params)
        out = []
        for r in rows:
            if self.may(View.MEETINGS, meeting=r["key"]):
                r["starts_at"] = when(datetime.fromisoformat(r["starts_at"]))
                out.append(cast("MeetingListRow", r))
        return out

    @reads(View.MEETINGS)
    def calendar(self, *, table: str | None = None, since: date | None = None
                 ) -> list[MeetingView]:
        from lrt_domain.meetings import Meeting

        clause, params = where(matching("table_code = ?", table),
                               matching("day >= ?", since and since.isoformat()))
        rows = [r for r in self.model.query(
            f"SELECT key FROM view_meetings{clause} ORDER BY starts_at", params)
            if self.may(View.MEETINGS, meeting=r["key"])]
        meetings = {m.key: m for m in self.model.states(Meeting, [r["key"] for r in rows])}
        documents = self._documents(meetings) if meetings else {}
        return [self._meeting(meetings[r["key"]], documents.get(r["key"], []))
                for r in rows]

    @reads(View.MEETINGS)
    def meeting(self, key: str, now: datetime | None = None) -> MeetingView:
        """The meeting; with `now`, when its documents were due and which were late."""
        from . import planning
        from lrt_domain.meetings import Meeting

        m: Meeting = self._get(Meeting, key)
        self.require(View.MEETINGS, f"meeting {key}", meeting=key)
        view = self._meeting(m, self._documents({key: m}).get(key, []))
        if now is not None:
            due = planning.meeting_documents_due(self, key, now)
            view["documents_due"] = due["documents_due"]
            for d in view["documents"]:
                timing = due["documents"].get(d["key"])
                d["late"] = timing["late"] if timing else None
                d["late_by"] = timing["late_by"] if timing else None
        return view

    def _documents(self, meetings: dict[str, Meeting]) -> dict[str, list[Document]]:
        return documents_of(self.model, meetings)

    def _meeting(self, m: Meeting, docs: list[Document]) -> MeetingView:
        from lrt_domain.meetings import Presence

        return {"key": m.key, "table": m.table, "starts_at": when(m.starts_at),
                "place": m.place, "status": m.status.value, "reschedules": m.reschedules,
                "agenda": [{"number": i.number, "title": i.title} for i in m.agenda],
                "guests": list(m.guests), "attendance": self._attendance(m),
                "present": sum(a.presence is not Presence.ABSENT for a in m.attendance),
                "documents": [{"key": d.key, "title": d.title, "code": d.code,
                               "version": d.text_version, "sent_at": when(d.sent_at)}
                              for d in docs]}

    @reads(View.DOCUMENTS)
    def document(self, key: str) -> DocumentView:
        from lrt_domain.documents import Document

        d: Document = self._get(Document, key)
        self._subject_rule(d)
        said = round_comments(self.model, [d])[d.key]
        texts = comment_texts(self.model, [c for cs in said.values() for c in cs])
        return {"key": d.key, "meeting": d.meeting, "table": d.table, "title": d.title,
                "code": d.code, "version": d.text_version, "sent_at": when(d.sent_at),
                "text": d.text,
                "comment_rounds": [{"number": r.number, "deadline": when(r.deadline),
                                    "comments": [{"person": c.person,
                                                  "organisation": c.organisation,
                                                  "text": text_of(c, texts),
                                                  "received_at": when(c.received_at)}
                                                 for c in said.get(r.number, [])]}
                                   for r in d.rounds]}

    # --- tables, members and the directory ----------------------------------------

    @reads(View.MEMBERS)
    def members(self, table: str, on: date) -> list[MemberRow]:
        from lrt_domain.directory import Person
        from lrt_domain.tables import Table

        t: Table = self._get(Table, table)
        self.require(View.MEMBERS, f"the members of table {table}", table=table)
        persons = {p.key: p for p in self.model.states(
            Person, [m.person for m in t.memberships])}
        return [{"number": m.number, "person": m.person,
                 "name": persons[m.person].name if m.person in persons else m.person,
                 "organisation": m.organisation, "function": m.function,
                 "since": m.since.isoformat(),
                 "until": m.until.isoformat() if m.until else None,
                 "office_holder": m.office_holder} for m in t.members_on(on)]

    @reads(View.DIRECTORY)
    def table(self, key: str) -> TableRow:
        from lrt_domain.tables import Table

        self.require(View.DIRECTORY, "the directory")
        return self._table_row(self._get(Table, key))

    @staticmethod
    def _table_row(t: Table) -> TableRow:
        return {"code": t.key, "name": t.name, "kind": t.kind.value,
                "secretariat": t.secretariat, "chair": t.chair,
                "meetings_per_year": t.meetings_per_year}

    @reads(View.DIRECTORY)
    def tables(self) -> list[TableRow]:
        from lrt_domain.tables import Table

        self.require(View.DIRECTORY, "the directory")
        return [self._table_row(t) for t in self.model.states(Table)]

    @reads(View.DIRECTORY, View.ADDRESSES)
    def organisations(self) -> list[OrganisationRow]:
        """With `email` (the functional address) for readers of addresses only."""
        from .shapes import OrganisationRow
        from lrt_domain.directory import Organisation

        self.require(View.DIRECTORY, "the directory")
        addresses = self.may(View.ADDRESSES)
        rows: list[OrganisationRow] = []
        for o in self.model.states(Organisation):
            row = OrganisationRow(code=o.key, name=o.name, tooi=o.tooi)
            if addresses:
                row["email"] = o.email
            rows.append(row)
        return rows

    @reads(View.PEOPLE, View.ADDRESSES)
    def persons(self) -> list[PersonRow]:
        """With `email` and `mail_off` (the kinds opted out of) for readers of addresses."""
        from .shapes import PersonRow
        from lrt_domain.directory import Person

        self.require(View.PEOPLE, "the persons of the directory")
        addresses = self.may(View.ADDRESSES)
        rows: list[PersonRow] = []
        for p in self.model.states(Person):
            row = PersonRow(id=p.key, name=p.name, title=p.title, office=p.office)
            if addresses:
                row["email"] = p.email
                row["mail_off"] = [k.value for k in p.opted_out]
            rows.append(row)
        return rows

    @reads(View.OUTBOX)
    def outbox(self, *, table: str | None = None, open_only: bool = False
               ) -> list[OutboxRow]:
        """The mail decided for the tables the actor may see the outbox of, in the order
        decided: `{key, table, kind, recipient_kind, recipient, status, attempts,
        next_attempt, decided_at, last_error}`."""
        clause, params = where(
            matching("table_code = ?", table),
            ("status IN ('pending', 'failing')", ()) if open_only else None)
        rows = self.model.query(
            "SELECT key, table_code AS \"table\", kind, recipient_kind, recipient, status, "
            "attempts, next_attempt, decided_at, last_error FROM view_mail"
            f"{clause} ORDER BY decided_at, key", params)
        visible: dict[str, bool] = {}
        out: list[OutboxRow] = []
        for r in rows:
            if r["table"] not in visible:
                visible[r["table"]] = self.may(View.OUTBOX, table=r["table"])
            if visible[r["table"]]:
                out.append(cast("OutboxRow", r))
        return out

    @reads(View.PEOPLE)
    def users(self) -> list[UserRow]:
        from lrt_domain.directory import User

        self.require(View.PEOPLE, "the users of the directory")
        return [{"user": u.key, "role": u.role.value, "organisation": u.organisation,
                 "person": u.person, "active": u.active} for u in self.model.states(User)]

    # --- time: what falls due, punctuality, rhythm, calendar, documents (planning.py) --

    @reads(View.DEADLINES)
    def due_soon(self, now: datetime, within: timedelta, *, table: str | None = None
                 ) -> list[DueRow]:
        from . import planning

        register = self.actions(local_date(now), table=table)
        return [r for r in planning.due_soon(self, now, within, register, table=table)
                if self.visible(View.DEADLINES, r["subject"])]

    @reads(View.REPORTS)
    def punctuality(self, table: str, year: int, now: datetime) -> Punctuality:
        from . import planning
        from lrt_domain.tables import Table

        self._get(Table, table)
        self.require(View.REPORTS, f"the reports of table {table}", table=table)
        return planning.punctuality(self, table, year, now)

    @reads(View.DIRECTORY)
    def table_overview(self, key: str, now: datetime) -> TableOverview:
        from . import planning

        return planning.table_overview(self, key, now, self.table(key))

    @reads(View.CALENDAR)
    def calendar_entries(self, now: datetime, *, table: str | None = None,
                         person: str | None = None) -> CalendarEntries:
        from . import planning

        register = self.actions(local_date(now), table=table, include_closed=True)
        entries = planning.calendar_entries(self, now, register, table=table, person=person)
        # each entry by the state of its meeting's minutes
        entries["events"] = [e for e in entries["events"]
                             if self.visible(View.CALENDAR, e["key"])]
        entries["todos"] = [t for t in entries["todos"] if self.visible(View.CALENDAR, t["key"])]
        return entries

    @reads(View.REDACTIONS)
    def redactions(self, actor: Acting, key: str) -> list[Any]:
        """The Woo redactions of the minutes (`lrt_domain.publication.redactions`): for the
        table's secretariat and chair, and auditors."""
        from .woo_states import woo_states_from

        states = woo_states_from(self.model, key)
        self.require(View.REDACTIONS, f"the Woo redactions of meeting {key}", meeting=key,
                     actor=actor)
        return states.redactions()

    @reads(View.REDACTIONS)
    def woo_states(self, actor: Acting, key: str) -> WooStates:
        """What the Woo redactions of the minutes are decided on (`lrt minutes redactions
        --suggest` looks for names in it): for who reads the redactions."""
        from .woo_states import woo_states_from

        states = woo_states_from(self.model, key)
        self.require(View.REDACTIONS, f"the Woo redactions of meeting {key}", meeting=key,
                     actor=actor)
        return states

    @reads(View.MINUTES)
    def minutes_document(self, actor: Acting, key: str) -> MinutesDocument:
        from . import planning

        return planning.minutes_document(self, self.minutes(actor, key), key)

    @reads(View.DOCUMENTS)
    def document_due(self, key: str, now: datetime) -> DocumentTiming:
        from . import planning
        from lrt_domain.documents import Document

        self._subject_rule(self._get(Document, key))
        return planning.document_due(self, key, now)

    @reads(View.MEETINGS)
    def meeting_documents_due(self, key: str, now: datetime) -> MeetingDocumentsDue:
        from . import planning

        self.require(View.MEETINGS, f"meeting {key}", meeting=key)
        return planning.meeting_documents_due(self, key, now)

    # --- history -------------------------------------------------------------------

    @reads(View.HISTORY, View.HISTORY_WOO, View.HISTORY_TABLE, View.HISTORY_DIRECTORY)
    def history(self, actor: Acting, key: str) -> list[HistoryRow]:
        """Every event of one object (`projections.history`), by the object's read rule; the
        Woo events (redactions name what they hide, and why) only for who reads those."""
        from .history import history
        from lrt_domain.actions import Action
        from lrt_domain.comments import Comment
        from lrt_domain.documents import Document
        from lrt_domain.meetings import Meeting
        from lrt_domain.minutes import Minutes
        from lrt_domain.proposals import Proposal
        from lrt_domain.tables import Table

        rows = history(self._application(), key, until=self.moment)  # unknown: not found
        document = self.model.state(Document, key)
        action = self.model.state(Action, key)
        proposal = self.model.state(Proposal, key)
        if proposal is not None:  # an amendment's proposal: as its minutes
            key = proposal.meeting
        comment = self.model.state(Comment, key)
        if comment is not None:  # a comment in its own stream: as its subject
            if comment.subject_kind == Document.KIND:
                document = self.model.state(Document, comment.subject)
            else:
                key = comment.meeting
        if self.model.state(Meeting, key) or self.model.state(Minutes, key):
            self.require(View.HISTORY, f"the history of meeting {key}", meeting=key,
                         actor=actor)
        elif document is not None:
            self.require(View.HISTORY, f"the history of document {key}",
                         meeting=document.meeting, actor=actor)
        elif action is not None:
            self.require(View.HISTORY, f"the history of action {key}",
                         meeting=action.agreed_at, actor=actor)
        elif self.model.state(Table, key) is not None:
            self.require(View.HISTORY_TABLE, f"the history of table {key}", table=key,
                         actor=actor)
        else:  # an organisation, a person, a user, the store's own record
            self.require(View.HISTORY_DIRECTORY, f"the history of {key}", actor=actor)
        woo = self.may(View.HISTORY_WOO, meeting=key, actor=actor)
        return [r for r in rows if woo or r["object"] != "publication"]
