"""The audit of the hash chain: its head, and a verification of every stored event.

`verify` walks the stored events in recorded order and the chain's links by position, side
by side, in batches, recomputing each digest from the bytes as stored (no key needed). It
stops at the first position where they disagree and says how:

- `edited`: the event bound at this position is there, but its stored bytes (or its link's
  digest) are not what was chained;
- `deleted`: the event the chain binds at this position is no longer in the store;
- `inserted`: the store has an event here that was never chained;
- `reordered`: the store has an event here that the chain binds at another position;
- `chain`: the chain itself has a gap (a link deleted);
- with `against` (a head written down earlier): `tail deleted` (the store is now shorter
  than that head) or `rewritten` (the chain no longer passes through that head: an event
  before it changed and the chain was recomputed from scratch).

A store whose events, links and head were all removed or recomputed together passes the
first six checks; only a head kept outside the system catches that, with `against`.

A row the library could not read (a state stored as TEXT or NULL, a version that is not a
number) is a break too: `malformed`.

With a `Replay`, the log also proves itself: each event, decoded, must be one the domain
would have recorded for its actor, in that role, at that point (`lrt_domain.conformance`:
problems `order`, `actor`, `forbidden`, `rule`), and on PostgreSQL its actor must be the
login that inserted it, unless that login is a delegate (`login`). A correctly chained
forgery, written with SQL by someone who holds a writer login or the file, fails here. An
encrypted store verified without its key: the chain is checked, the rules cannot be
(`Report.rules` says why).
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from lrt_domain import conformance
from lrt_domain.base import Aggregate, DomainEvent, project
from lrt_domain.errors import NotFound
from lrt_domain.minutes import Minutes

from .chain import GENESIS, Head, Link, RawEvent, _field, raw_link_digest

if TYPE_CHECKING:
    from .application import Lrt


BATCH = 5000

# A stored row as the walk reads it (`recorder.audit_rows`): notification id, originator
# id, version, topic, state, and PostgreSQL's stamps (inserted by, inserted at, delegate;
# None, None, False on SQLite); and a link (`recorder.link_rows`): position, notification
# id, originator id, version, digest. Plain tuples, a batch at a time: no object per row.
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Break:
    position: int | None  # None: no position can be named (a head not found, no length)
    problem: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "problem": self.problem, "detail": self.detail}


@dataclass
class Report:
    checked: int = 0  # events whose link was recomputed and matched
    head: Head = field(default_factory=lambda: Head(0, GENESIS.hex()))  # recomputed
    broken: Break | None = None
    against: dict[str, Any] | None = None
    # whether the log's rules were checked too; when not, why not
    rules: dict[str, Any] = field(default_factory=lambda: {"checked": False, "why": None})

    @property
    def ok(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "head": self.head.digest,
                "length": self.head.length,
                "break": self.broken.as_dict() if self.broken else None,
                "against": self.against, "rules": self.rules}


class _Stream:
    """Rows in key order, fetched a batch at a time; asking again after the end fetches
    again (a writer may have committed in between)."""

    def __init__(self, fetch: Callable[[int, int], list[Row]], key: Callable[[Row], int],
                 batch: int):
        self.fetch = fetch
        self.key = key
        self.batch = batch
        self.buffer: deque[Row] = deque()
        self.last = 0

    def next(self) -> Row | None:
        if not self.buffer:
            self.buffer.extend(self.fetch(self.last, self.batch))
            if not self.buffer:
                return None
        row = self.buffer.popleft()
        self.last = self.key(row)
        return row


def head(recorder: Any) -> Head:
    """The chain's current head: how many events it binds, and the last digest."""
    return recorder.chain_head()  # type: ignore[no-any-return]


def head_at(recorder: Any, event: tuple[str, int] | None) -> Head:
    """The chain's head just after the given event (originator id hex, version) was
    recorded: the head as it stood at that moment. None: before the first event."""
    if event is None:
        return Head(0, GENESIS.hex())
    link = recorder.link_of(*event)
    if link is None:
        raise NotFound(f"chain: event {_name(*event)} is not in the hash chain")
    return Head(link.position, link.digest)


def _name(oid: str, version: int) -> str:
    return f"{oid} v{version}"


def _mismatch(recorder: Any, position: int, event: RawEvent | None, link: Link | None
              ) -> Break:
    """Why the stored event at `position` is not the one the chain binds there."""
    if link is None:
        assert event is not None
        bound = recorder.link_of(event.originator_id, event.originator_version)
        if bound is None:
            return Break(position, "inserted",
                         f"event {_name(event.originator_id, event.originator_version)} "
                         f"(notification {event.notification_id}) was never chained")
        return Break(position, "reordered",
                     f"event {_name(event.originator_id, event.originator_version)} is "
                     f"chained at position {bound.position}")
    if event is None:
        gone = not recorder.has_event(link.originator_id, link.originator_version)
        return Break(position, "deleted" if gone else "reordered",
                     f"event {_name(link.originator_id, link.originator_version)}, chained "
                     f"here, is {'not in the store' if gone else 'stored out of order'}")
    bound = recorder.link_of(event.originator_id, event.originator_version)
    if bound is None:
        return Break(position, "inserted",
                     f"event {_name(event.originator_id, event.originator_version)} "
                     f"(notification {event.notification_id}) was never chained")
    if not recorder.has_event(link.originator_id, link.originator_version):
        return Break(position, "deleted",
                     f"event {_name(link.originator_id, link.originator_version)}, chained "
                     "here, is not in the store")
    return Break(position, "reordered",
                 f"the store has event {_name(event.originator_id, event.originator_version)}"
                 f" (chained at position {bound.position}) where the chain has "
                 f"{_name(link.originator_id, link.originator_version)}")


def malformed(event: RawEvent) -> str | None:
    """What makes a stored row unreadable, as the library would meet it; None: nothing."""
    def kind(value: object) -> str:
        return {str: "TEXT", int: "INTEGER", float: "REAL", type(None): "NULL"}.get(
            type(value), type(value).__name__)

    if not isinstance(event.state, bytes):
        return f"its state is stored as {kind(event.state)}, not as bytes"
    if not isinstance(event.originator_version, int) or event.originator_version < 1:
        return f"its version is {event.originator_version!r}"
    if not isinstance(event.topic, str) or not event.topic:
        return f"its topic is stored as {kind(event.topic)}"
    try:
        UUID(str(event.originator_id))
    except ValueError:
        return f"its originator id {str(event.originator_id)[:40]!r} is not an id"
    return None


_CANONICAL = re.compile(r"[0-9a-f]{32}").fullmatch  # an originator id as lrt stores it
_LENGTH_32 = (32).to_bytes(8, "big")  # `chain._field`'s length of such an id
_first = itemgetter(0)


def _raw(row: Row) -> RawEvent:
    """The row as `recorder.raw_events` gives it (what the checks of an odd row read)."""
    state = row[4]
    return RawEvent(row[0], str(row[1]), row[2], row[3],
                    bytes(state) if isinstance(state, (bytes, memoryview)) else state,
                    row[5], row[6], bool(row[7]))


def _walk(recorder: Any, report: Report, batch: int,
          check: Callable[[int, Row, str], Break | None] | None = None
          ) -> Iterator[tuple[int, str]]:
    """Recompute the chain; yields each position that matched with the chain's digest
    there (and fills `report`). `check`: what else each event must pass, in order (the
    log's rules), given the row and the chain's digest there.

    A row as lrt writes it (its id 32 lowercase hex digits, its state bytes, its version
    a positive int, a topic) is hashed straight from the row; any other row takes the
    checks that name what is wrong with it (`_odd_row`), so the fast path decides nothing
    the full checks would not."""
    events = _Stream(recorder.audit_rows, _first, batch)
    links = _Stream(recorder.link_rows, _first, batch)
    digest = GENESIS
    position = passed = 0
    hexdigest = passed_hex = GENESIS.hex()
    sha256 = hashlib.sha256
    versions: dict[int, bytes] = {}
    topics: dict[str, bytes] = {}
    try:
        while True:
            row, link = events.next(), links.next()
            if row is None and link is not None:
                # The link's transaction also committed its event: read the log once more.
                row = events.next()
            if row is None and link is None:
                return
            position += 1
            if link is not None and link[0] != position:
                report.broken = Break(position, "chain",
                                      f"the chain has no link at position {position} (the "
                                      f"next is at {link[0]}): a link was deleted")
                return
            if row is None or link is None:
                report.broken = _mismatch(recorder, position,
                                          None if row is None else _raw(row),
                                          None if link is None else Link(*link))
                return
            oid, version, topic, state = row[1], row[2], row[3], row[4]
            if type(oid) is str and type(state) is bytes and type(version) is int \
                    and version > 0 and type(topic) is str and topic and _CANONICAL(oid) \
                    and row[5] is None:
                if oid != link[2] or version != link[3]:
                    report.broken = _mismatch(recorder, position, _raw(row), Link(*link))
                    return
                # `link_digest` in one call, the fields of a version and a topic made once
                version_field = versions.get(version)
                if version_field is None:
                    version_field = versions[version] = _field(str(version).encode("ascii"))
                topic_field = topics.get(topic)
                if topic_field is None:
                    topic_field = topics[topic] = _field(topic.encode("utf8"))
                digest = sha256(b"".join((digest, _LENGTH_32, oid.encode("ascii"),
                                          version_field, topic_field,
                                          len(state).to_bytes(8, "big"), state))).digest()
            else:
                raw = _raw(row)
                found = _odd_row(recorder, position, raw, Link(*link), digest)
                if isinstance(found, Break):
                    report.broken = found
                    return
                digest = found
                row = (raw.notification_id, raw.originator_id, raw.originator_version,
                       raw.topic, raw.state, raw.inserted_by, raw.inserted_at, raw.delegate)
                oid, version = raw.originator_id, raw.originator_version
            hexdigest = digest.hex()
            if hexdigest != link[4]:
                report.broken = Break(position, "edited",
                                      f"event {_name(oid, version)} (notification {row[0]}) "
                                      "is not what was chained: its stored bytes, or its "
                                      "link, were changed")
                return
            if check is not None and (broken := check(position, row, hexdigest)) is not None:
                report.broken = broken
                return
            passed, passed_hex = position, hexdigest
            yield position, hexdigest
    finally:
        report.checked = passed
        report.head = Head(passed, passed_hex)


def _odd_row(recorder: Any, position: int, raw: RawEvent, link: Link, digest: bytes
             ) -> bytes | Break:
    """The chain's digest at `position`, for a row the quick path does not take (a
    PostgreSQL row with its stamps, or an odd one); or why it breaks the chain there."""
    if (raw.originator_id, raw.originator_version) != (link.originator_id,
                                                       link.originator_version):
        return _mismatch(recorder, position, raw, link)
    bad = malformed(raw)
    if bad is not None:
        return Break(position, "malformed",
                     f"event {_name(raw.originator_id, raw.originator_version)}"
                     f" (notification {raw.notification_id}): {bad}")
    return raw_link_digest(digest, raw)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The walk makes many short-lived objects (rows, events, decisions) and keeps some (the
    states, each aggregate's version): the cyclic collector's passes over what is kept were
    about a tenth of the audit. Within, what existed before is frozen (out of its passes,
    unless something froze objects already) and it runs a thirtieth as often; both undone
    after. Nothing the audit makes needs the collector (no cycles to speak of)."""
    threshold = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freeze:
            gc.unfreeze()


def verify(recorder: Any, *, against: str | None = None, against_length: int | None = None,
           batch: int = BATCH, progress: Callable[[int], None] | None = None,
           replay: Replay | None = None) -> Report:
    """Recompute the whole chain from the stored bytes; with `against` (and optionally its
    length), also check that the store still extends that head; with `replay`, also the
    log's rules, event by event."""
    report = Report()
    check = None
    if replay is not None:
        report.rules = {"checked": replay.why_not is None, "why": replay.why_not}
        check = replay.check if replay.why_not is None else None
    against = against.strip().lower() if against else None
    found: int | None = None
    done = 0
    with _fewer_collections():
        for position, digest in _walk(recorder, report, batch, check):
            if against is not None and found is None and digest == against and (
                    against_length is None or position == against_length):
                found = position
            if progress is not None and position - done >= batch:
                progress(position - done)
                done = position
    if progress is not None and report.checked > done:
        progress(report.checked - done)
    if against is None:
        return report
    report.against = {"digest": against, "length": against_length, "extended": found is not None,
                      "at": found}
    if report.broken is not None or found is not None:
        return report
    if against_length is not None and against_length > report.checked:
        report.broken = Break(report.checked + 1, "tail deleted",
                              f"the head written down binds {against_length} events; the store "
                              f"has {report.checked}: events after position {report.checked} "
                              "were removed")
    elif against_length is not None:
        report.broken = Break(against_length, "rewritten",
                              f"the recomputed chain has another digest at position "
                              f"{against_length} than the head written down: the chain up to "
                              "there was recomputed after a change")
    else:
        report.broken = Break(None, "not extended",
                              f"no position of the recomputed chain ({report.checked} events) "
                              "has the head written down: events were removed from the end, "
                              "or changed and the chain recomputed (give --length to name the "
                              "position)")
    return report


# --- the log's rules ----------------------------------------------------------------------

STATES_KEPT = 2000  # aggregates' states the replay keeps; older ones are folded again
IDS_KEPT = 100_000  # aggregates' ids the replay remembers by their keys
DIGESTS_KEPT = 1000  # the chain's digests it remembers, at the last positions


def _indexed() -> frozenset[type]:
    """The events `Replay._index` learns from (each class and its subclasses)."""
    import lrt_domain.catalogue  # noqa: F401  (every event class, so every topic is known)
    from lrt_domain.base import EVENT_TYPES
    from lrt_domain.directory import Organisation, User
    from lrt_domain.proposals import Proposal
    from lrt_domain.tables import Table

    kinds = (Proposal.Proposed, Organisation.Registered, User.Registered,
             Table.MemberJoined, Table.ChairAppointed)
    return frozenset(cls for cls in EVENT_TYPES.values() if issubclass(cls, kinds))


class Replay:
    """The events, decoded in recorded order, through the domain's rules
    (`lrt_domain.conformance`). It keeps each aggregate's version so far (an int per
    aggregate) and a bounded cache of states; a state pushed out is folded again from the
    store up to the version it had at that point."""

    def __init__(self, app: Lrt, keep: int = STATES_KEPT, skip: str | None = None):
        self.app = app
        # the audit reads a store as it is, one the application refuses too (chain.py)
        if hasattr(app.recorder, "guarded"):
            app.recorder.guarded = False
        # Both by the aggregate's id as 32 hex digits, as the rows hold it (a str hashes
        # in C, a UUID in Python: its hash and == were a twentieth of the audit)
        self.versions: dict[str, int] = {}
        # the most recently used last (an OrderedDict: the library's LRUCache, with its
        # lock and linked list, was a tenth of the replay)
        self.states: OrderedDict[str, Aggregate] = OrderedDict()
        self.keep = keep
        # (class, key) -> the id `cls.id_for(key)` gives, in hex (a uuid5 is a SHA-1 and a
        # UUID; the rules ask about three states an event); emptied when it grows large
        self._ids: dict[tuple[type[Any], str], str] = {}
        # the chain's digests at the last positions checked (what an approval records)
        self._recent: dict[int, str] = {}
        # what the scope of registration asks (`conformance.World`), kept as the log goes
        self._host: str | None = None
        self._secretariats: set[str] = set()
        self._person_tables: dict[str, set[str]] = {}
        self._codes: dict[str, str] = {}  # organisation codes, casefolded
        self._proposals: dict[str, list[str]] = {}  # per minutes, in log order
        self.why_not = skip or _why_not(app)  # not None: the rules are not checked
        self._indexed = _indexed()

    # conformance.World
    def state(self, cls: type[Any], key: str) -> Any:
        ids = self._ids
        aggregate_id = ids.get((cls, key))
        if aggregate_id is None:
            if len(ids) >= IDS_KEPT:
                ids.clear()
            aggregate_id = ids[cls, key] = cls.id_for(key).hex
        # `_state`, inline (the rules ask three states an event)
        version = self.versions.get(aggregate_id)
        if version is None:
            return None
        known = self.states.get(aggregate_id)
        if known is None or known.version != version:
            return self._state(aggregate_id)
        self.states.move_to_end(aggregate_id)
        return known

    def host(self) -> str | None:
        return self._host

    def has_secretariat(self, organisation: str | None) -> bool:
        return organisation in self._secretariats

    def tables_of(self, person: str) -> list[Any]:
        from lrt_domain.tables import Table

        return [t for key in sorted(self._person_tables.get(person, ()))
                if (t := self.state(Table, key)) is not None]

    def _head_problem(self, approval: Any, position: int) -> str | None:
        """An approval records the chain's head as it stood before it: is it that head?"""
        length, digest = approval.chain_length, approval.chain_head
        if length is None or digest is None:
            return None  # recorded before approvals kept the head
        if not 0 <= length < position:
            return (f"the approval records a chain of {length} events, at position "
                    f"{position}")
        actual = self._recent.get(length)  # most approvals: the head just before them
        if actual is None:
            links = self.app.recorder.links(length - 1, 1) if length else []  # type: ignore
            actual = links[0].digest if links else GENESIS.hex()
        if actual != digest:
            return f"the approval records a chain head that is not the chain's at {length}"
        return None

    def organisation_like(self, code: str) -> str | None:
        return self._codes.get(code.casefold())

    def proposals(self, meeting: str) -> list[str]:
        return list(self._proposals.get(meeting, ()))

    def _index(self, event: DomainEvent, state: Any) -> None:
        if type(event) not in self._indexed:  # most events: a lookup, not five imports
            return
        from lrt_domain.base import Role
        from lrt_domain.directory import Organisation, User
        from lrt_domain.proposals import Proposal
        from lrt_domain.tables import Table

        if isinstance(event, Proposal.Proposed):
            self._proposals.setdefault(event.meeting, []).append(event.key)
        elif isinstance(event, Organisation.Registered):
            self._codes.setdefault(event.key.casefold(), event.key)
        elif isinstance(event, User.Registered):
            if self._host is None:
                self._host = event.organisation
            if event.user_role is Role.SECRETARIAT and event.organisation:
                self._secretariats.add(event.organisation)
        elif isinstance(event, Table.MemberJoined):
            self._person_tables.setdefault(event.membership.person, set()).add(state.key)
        elif isinstance(event, Table.ChairAppointed):
            self._person_tables.setdefault(event.person, set()).add(state.key)

    def _state(self, aggregate_id: str) -> Aggregate | None:
        version = self.versions.get(aggregate_id)
        if version is None:
            return None
        known = self.states.get(aggregate_id)
        if known is None or known.version != version:
            known = self.app.repository.get(UUID(aggregate_id), version=version,
                                            projector_func=project)  # type: ignore[arg-type]
            self._keep(aggregate_id, known)
        else:
            self.states.move_to_end(aggregate_id)
        return known

    def _keep(self, aggregate_id: str, state: Aggregate) -> None:
        self.states[aggregate_id] = state
        self.states.move_to_end(aggregate_id)
        if len(self.states) > self.keep:
            self.states.popitem(last=False)

    def check(self, position: int, row: Row, digest: str) -> Break | None:
        """The rules on a stored row (`Row`, as `recorder.audit_rows` gives it, `_raw`'s
        values for an odd one) whose link the walk has just verified: `digest`, the chain's
        digest at `position`."""
        recent = self._recent
        recent[position] = digest
        recent.pop(position - DIGESTS_KEPT, None)
        oid, version, topic = row[1], row[2], row[3]
        canonical = _CANONICAL(oid) is not None

        def where() -> str:  # named only when something is wrong
            return f"event {_name(oid, version)} ({topic})"

        try:
            # the quick decoder: the same event, validated as the stored JSON is parsed
            # (tests/integration/test_quick_decoding.py); what it cannot read, the full path
            # reads and names. An id as lrt writes it goes to the mapper as it is: pydantic
            # reads the 32 hex digits as the same UUID, without one made and printed again.
            event: DomainEvent = self.app.mapper.to_domain_event_quickly(StoredEvent(
                originator_id=oid if canonical else UUID(oid), originator_version=version,
                topic=topic, state=row[4]))
        except Exception as e:  # noqa: BLE001  (anything the row does to the mapper)
            return Break(position, "malformed", f"{where()} does not decode: "
                                                f"{_first_line(e)}")
        if row[5] is not None:  # PostgreSQL's stamps: who inserted it, and when
            from .chain_postgres import stamp_problem

            problem = stamp_problem(_raw(row), event.actor, event.timestamp)
            if problem is not None:
                return Break(position, "login", f"{where()}: {problem}")
        key = oid if canonical else event.originator_id.hex
        state = self._state(key)
        finding = conformance.check(event, state, self, position)
        if finding is not None:
            return Break(position, finding.problem, finding.detail)
        if isinstance(event, Minutes.Approved) and (bad := self._head_problem(
                event.approval, position)):
            return Break(position, "rule", f"{where()}: {bad}")
        try:
            new = event.mutate(state)
        except Exception as e:  # noqa: BLE001
            return Break(position, "rule", f"{where()} does not apply to its "
                                            f"aggregate: {_first_line(e)}")
        self.versions[key] = event.originator_version
        self._keep(key, new)
        self._index(event, new)
        return None


def _why_not(app: Lrt) -> str | None:
    """Why the rules cannot be checked on this store: None when they can."""
    if app.encrypted:
        return None
    try:
        first = app.recorder.select_notifications(start=1, limit=1)
        state = bytes(first[0].state) if first else None
    except Exception:  # noqa: BLE001  (a malformed first row: the walk reports it)
        return None
    if state is not None and not _json_object(state):
        return ("the store is encrypted and no key was given: the chain was checked, the "
                "log's rules could not be (give the key to check them)")
    return None


def _json_object(data: bytes) -> bool:
    import json

    try:
        return isinstance(json.loads(data), dict)
    except ValueError:
        return False


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


# --- a store from before the chain ---------------------------------------------------------


def link_legacy(app: Lrt, login: str | None) -> tuple[int, Head]:
    """Link a SQLite store from before the hash chain (lrt 0.1), on purpose: its events are
    chained as they stand, in log order, and `Store.ChainLinked` records who did it and
    how many events were linked, in the same transaction. Gives that number and the head."""
    from lrt_domain import permissions
    from lrt_domain.base import Context
    from lrt_domain.directory import Store
    from lrt_domain.errors import RuleViolation

    recorder: Any = app.recorder
    if not hasattr(recorder, "linking_legacy"):
        raise RuleViolation("store: only a SQLite store can be from before the hash chain")
    if recorder.unchained is None:
        raise RuleViolation("store: the hash chain binds every event; there is nothing to link")
    with recorder.linking_legacy() as count:
        def decide(ctx: Context) -> Store.ChainLinked:
            permissions.require_administrator(ctx.actor, "link a store from before the chain")
            return app.get(Store, "store").link_chain(ctx, linked=count)

        app._run(login, decide)
    recorder.unchained = None
    return count, recorder.chain_head()
