"""The shapes of what the queries of `projections.views.Views` return: the JSON the CLI
prints with `--json` (README, "JSON shapes"), typed field by field.

They are `TypedDict`s, not classes with behaviour: the rows stay plain JSON data (printed as
they are, cheap to build), and the type checker holds every producer and every reader (the
CLI, the web pages, the mail) to the same fields. Times are strings as people read them
(`projections.common.when`: Europe/Amsterdam, with the offset); dates are ISO dates. A
field may be added; none is renamed or removed (scripts read them).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NotRequired, TypedDict

# --- the minutes ---------------------------------------------------------------------------


class PointRow(TypedDict):
    kind: str
    text: str


class ItemRow(TypedDict):
    number: int
    title: str
    points: list[PointRow]


class AttendanceRow(TypedDict):
    person: str
    name: str
    presence: str
    substitute_for: str | None


class AmendmentRow(TypedDict):
    number: int
    organisation: str
    item: int
    point: int | None
    text: str
    status: str
    reason: str | None
    version: int | None


class RoundSummary(TypedDict):
    number: int
    deadline: str
    comments: int


class ApprovalRow(TypedDict):
    at_meeting: str | None
    written_procedure: bool
    version: int
    amendments: list[int]
    recorded_at: str
    text_digest: str | None
    chain_head: str | None
    chain_length: int | None


class CorrectionRow(TypedDict):
    number: int
    item: int
    point: int | None
    text: str
    reason: str
    of_version: int


class MinutesView(TypedDict):
    meeting: str
    table: str
    table_name: str
    starts_at: str
    place: str
    status: str
    version: int
    attendance: list[AttendanceRow]
    items: list[ItemRow]
    amendments: list[AmendmentRow]
    comment_rounds: list[RoundSummary]
    approval: ApprovalRow | None
    corrections: list[CorrectionRow]


class MinutesDocument(MinutesView):
    """The minutes with what the layout of the seeds needs (`--format md/html/docx`)."""
    starts_at_local: str
    secretariat: str  # the table's secretariat: the document's author
    secretariat_name: str | None
    present: list[str]
    absent: list[str]
    approval_date: str | None
    amended_by: list[str]
    round_deadline: str | None


class MeetingListRow(TypedDict):
    """A meeting as a list names it (`Views.meeting_rows`: shell completion)."""

    key: str
    table: str
    starts_at: str
    place: str
    status: str


class MinutesListRow(TypedDict):
    meeting: str
    table: str
    status: str
    version: int
    date: str


# --- comments and deadlines ----------------------------------------------------------------

class CommentRow(TypedDict):
    round: int
    number: int
    person: str
    organisation: str | None
    received_at: str
    text: str


class DeadlineRow(TypedDict):
    subject: str
    kind: str
    title: str
    table: str
    round: int
    deadline: str
    open: bool
    comments: int
    commented: list[str]
    not_commented: list[str]


# --- the action register -------------------------------------------------------------------

class ActionRow(TypedDict):
    key: str
    table: str
    meeting: str
    item: int
    text: str | None
    status: str
    carried_over: Any  # as the query table stores it (0/1, or the meetings moved to)
    before_next_meeting: bool
    due: str | None
    owners: list[str]
    overdue: bool


class ProgressRow(TypedDict):
    reported_at: str
    by: str
    organisation: str | None
    note: str


# `Views.action`: the action's own fields (`lrt_domain.actions.Action`, as JSON) and its
# progress; the domain model is the shape's source, so it is not repeated here.
ActionView = dict[str, Any]


# --- meetings and documents ----------------------------------------------------------------

class AgendaRow(TypedDict):
    number: int
    title: str


class DocumentRef(TypedDict):
    key: str
    title: str
    code: str | None
    version: int
    sent_at: str | None
    late: NotRequired[bool | None]  # `Views.meeting(key, now)`: sent in time or not
    late_by: NotRequired[str | None]


class MeetingView(TypedDict):
    key: str
    table: str
    starts_at: str
    place: str
    status: str
    reschedules: int
    agenda: list[AgendaRow]
    guests: list[str]
    attendance: list[AttendanceRow]
    present: int  # present in person or remotely
    documents: list[DocumentRef]
    documents_due: NotRequired[str]  # `Views.meeting(key, now)`


class DocumentComment(TypedDict):
    person: str
    organisation: str | None
    text: str
    received_at: str


class DocumentRound(TypedDict):
    number: int
    deadline: str
    comments: list[DocumentComment]


class DocumentView(TypedDict):
    key: str
    meeting: str
    table: str
    title: str
    code: str | None
    version: int
    sent_at: str | None
    text: str
    comment_rounds: list[DocumentRound]


# --- tables and the directory --------------------------------------------------------------

class MemberRow(TypedDict):
    number: int
    person: str
    name: str
    organisation: str
    function: str
    since: str
    until: str | None
    office_holder: bool


class TableRow(TypedDict):
    code: str
    name: str
    kind: str
    secretariat: str
    chair: str | None
    meetings_per_year: int


class RulesRow(TypedDict):
    documents_due_days: int
    comment_round_days: int
    approval: str
    written_procedure_days: int
    reminder_hours: list[int]  # mail: reminders so many hours before a deadline
    action_notice_days: int  # mail: an action due within so many working days


class RulesChangeRow(RulesRow):
    number: int
    effective_from: str


class MeetingOnDay(TypedDict):
    meeting: str
    date: str


class RhythmRow(TypedDict):
    meetings_per_year: int
    last_held: MeetingOnDay | None
    next_due: str | None
    next_planned: MeetingOnDay | None
    planned_in_time: bool | None
    behind: bool
    held_last_12_months: int


class TableOverview(TableRow):
    rules: RulesRow
    rules_changes: list[RulesChangeRow]
    rhythm: RhythmRow


class OrganisationRow(TypedDict):
    code: str
    name: str
    tooi: str | None  # its TOOI identifier (publisher in the DiWoo metadata), when recorded
    email: NotRequired[str | None]  # the functional address: for readers of addresses


class PersonRow(TypedDict):
    id: str
    name: str
    title: str | None
    office: str | None  # a public office held: named, not redacted, in publications
    email: NotRequired[str | None]  # for readers of addresses (read_rules.View.ADDRESSES)
    mail_off: NotRequired[list[str]]  # the kinds of mail opted out of


class OutboxRow(TypedDict):
    """`Views.outbox`: a message decided, and how its sending stands."""
    key: str
    table: str
    kind: str
    recipient_kind: str
    recipient: str
    status: str
    attempts: int
    next_attempt: str | None
    decided_at: str
    last_error: str | None


class UserRow(TypedDict):
    user: str
    role: str
    organisation: str | None
    person: str | None
    active: bool


# --- time: what falls due, punctuality, documents due --------------------------------------

class DueRow(TypedDict):
    kind: str
    subject: str
    title: str | None
    table: str
    meeting: str
    due: str | None
    overdue: bool
    waiting_on: list[str]


class DocumentTiming(TypedDict):
    due: str
    rule_days: int
    late: bool
    late_minutes: int | None
    late_by: str | None
    notice_days: int | None


class MeetingDocumentsDue(TypedDict):
    documents_due: str
    documents_due_days: int
    documents: dict[str, DocumentTiming]


class LateDocument(TypedDict):
    key: str
    title: str
    sent_at: str
    late_by: str | None
    late_minutes: int | None
    notice_days: int | None


class PunctualityRow(TypedDict):
    meeting: str
    starts_at: str
    status: str
    rule_days: int
    due: str
    documents: int
    on_time: int
    late: int
    unsent: int
    latest: str | None
    late_documents: list[LateDocument]


class PunctualityTotals(TypedDict):
    meetings: int
    documents: int
    on_time: int
    late: int
    unsent: int


class Punctuality(TypedDict):
    table: str
    year: int
    meetings: list[PunctualityRow]
    totals: PunctualityTotals


# --- the calendar (for `lrt_app.calendar_ics`; times as datetimes, not JSON) ---------------

class CalendarEvent(TypedDict):
    kind: str
    key: str
    uid: str
    table: str
    table_name: str
    starts_at: datetime
    place: str
    status: str
    sequence: int
    agenda: list[tuple[int, str]]
    created: datetime | None
    modified: datetime | None


class CalendarTodo(TypedDict, total=False):
    kind: str
    key: str
    uid: str
    summary: str
    description: str
    due: datetime | date | None
    date_only: bool
    status: str
    related: str
    created: datetime | None
    modified: datetime | None
    owners: list[str]  # actions only


class CalendarEntries(TypedDict):
    name: str
    events: list[CalendarEvent]
    todos: list[CalendarTodo]


# --- history -------------------------------------------------------------------------------

class HistoryRow(TypedDict):
    recorded_at: str
    object: str
    version: int
    event: str
    user: str
    role: str
    on_behalf_of: str | None
    change: str  # the event's own fields, as JSON without the braces
    diff: str | None  # the unified diff of a text change
