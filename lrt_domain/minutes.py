"""Minutes (verslagen): one per meeting, structured by agenda item into points.

draft -> circulated -> revised -> approved. Circulating opens a comment round. Members
propose amendments on behalf of their organisation; the secretariat accepts one (the text
changes in a new version) or rejects it with a reason. Approval happens once: at a later
meeting of the same table that took place, or by written procedure when its deadline passed
without objection. Approved minutes are final: only a recorded correction can follow.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from . import checks
from .base import Context, DomainEvent, Model
from .comment_rounds import Commentable, RoundOpened
from .dutch_time import shown
from .errors import Conflict, InvalidInput, NotFound, RuleViolation
from .meetings import Meeting
from .proposals import Proposal, proposal_key
from .tables import ApprovalProcedure, TableRules


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    CIRCULATED = "circulated"
    REVISED = "revised"
    APPROVED = "approved"


class PointKind(StrEnum):
    POINT = "point"
    DECISION = "decision"
    ACTION = "action"


class Point(Model):
    kind: PointKind = PointKind.POINT
    text: str


class Item(Model):
    """The minutes of one agenda item."""

    number: int
    title: str
    points: tuple[Point, ...] = ()


class AmendmentStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Amendment(Model):
    number: int
    organisation: str
    item: int
    point: int | None  # None: a new point at the end of the item
    text: str
    status: AmendmentStatus = AmendmentStatus.PENDING
    reason: str | None = None  # why it was rejected
    version: int | None = None  # the text version it produced when accepted


class Objection(Model):
    person: str
    organisation: str | None
    text: str


class WrittenProcedure(Model):
    started_at: datetime
    deadline: datetime
    objections: tuple[Objection, ...] = ()


class Approval(Model):
    at_meeting: str | None  # None: by written procedure
    text_version: int
    amendments: tuple[int, ...]  # accepted amendments ("met een wijziging namens VNG")
    approved_at: datetime
    # Tamper evidence (issue 4); absent in approvals recorded before it:
    text_digest: str | None = None  # SHA-256 of the approved text, see `text_digest`
    chain_head: str | None = None  # the store's hash-chain head when it was approved
    chain_length: int | None = None  # how many events that head binds


def text_digest(items: tuple[Item, ...]) -> str:
    """SHA-256 (hex) of the canonical JSON of the items: sorted keys, no spaces, UTF-8."""
    data = [it.model_dump(mode="json") for it in items]
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode("utf8")).hexdigest()


class Correction(Model):
    number: int
    item: int
    point: int | None
    text: str
    reason: str
    of_version: int  # the approved text version it corrects


def replace_point(items: tuple[Item, ...], item: int, point: int | None,
                  new: Point) -> tuple[Item, ...]:
    """The items with one point replaced, or appended when `point` is None."""
    out = []
    for it in items:
        if it.number == item:
            points = list(it.points)
            if point is None:
                points.append(new)
            else:
                points[point - 1] = new
            it = it.model_copy(update={"points": tuple(points)})
        out.append(it)
    return tuple(out)


class Minutes(Commentable):
    KIND: ClassVar[str] = "minutes"
    items: tuple[Item, ...]
    text_version: int = 1
    status: MinutesStatus = MinutesStatus.DRAFT
    amendments: tuple[Amendment, ...] = ()  # proposed on the minutes (before issue 16)
    # proposals in their own streams (issue 16) that were decided: the decision's copy
    decided: tuple[Amendment, ...] = ()
    written_procedure: WrittenProcedure | None = None
    approval: Approval | None = None
    corrections: tuple[Correction, ...] = ()

    # --- events -------------------------------------------------------------------

    class Drafted(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Minutes.Drafted"
        key: str
        table: str
        meeting: str
        items: tuple[Item, ...]

        def apply(self, state: None) -> Minutes:
            return Minutes.born(self, key=self.key, table=self.table, meeting=self.meeting,
                                items=self.items)

    class Revised(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Minutes.Revised"
        items: tuple[Item, ...]
        note: str | None = None

        def apply(self, state: Minutes) -> Minutes:
            return state.with_(items=self.items, text_version=state.text_version + 1,
                               status=state.status_after_change)

    class Circulated(RoundOpened):
        TOPIC: ClassVar[str] = "lrt.Minutes.Circulated"

        def apply(self, state: Commentable) -> Commentable:  # minutes
            return super().apply(state).with_(status=MinutesStatus.CIRCULATED)

    class AmendmentProposed(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Minutes.AmendmentProposed"
        amendment: Amendment

        def apply(self, state: Minutes) -> Minutes:
            return state.with_(amendments=(*state.amendments, self.amendment))

    class AmendmentAccepted(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Minutes.AmendmentAccepted"
        number: int

        def apply(self, state: Minutes) -> Minutes:
            a = state.amendment(self.number)
            version = state.text_version + 1
            return state.with_(
                items=replace_point(state.items, a.item, a.point, Point(text=a.text)),
                text_version=version, status=state.status_after_change,
                amendments=state._amendment_updated(
                    self.number, status=AmendmentStatus.ACCEPTED, version=version))

    class AmendmentRejected(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Minutes.AmendmentRejected"
        number: int
        reason: str

        def apply(self, state: Minutes) -> Minutes:
            return state.with_(amendments=state._amendment_updated(
                self.number, status=AmendmentStatus.REJECTED, reason=self.reason))

    class ProposalAccepted(AmendmentAccepted):
        """An amendment proposed in its own stream (`lrt_domain.proposals`) accepted: the
        event carries the amendment (its text, and the version it makes)."""

        TOPIC: ClassVar[str] = "lrt.Minutes.ProposalAccepted"
        proposal: str  # the proposal's key
        amendment: Amendment

        def apply(self, state: Minutes) -> Minutes:
            a = self.amendment
            return state.with_(
                items=replace_point(state.items, a.item, a.point, Point(text=a.text)),
                text_version=state.text_version + 1, status=state.status_after_change,
                decided=(*state.decided, a))

    class ProposalRejected(AmendmentRejected):
        """An amendment proposed in its own stream rejected, with a reason."""

        TOPIC: ClassVar[str] = "lrt.Minutes.ProposalRejected"
        proposal: str
        amendment: Amendment

        def apply(self, state: Minutes) -> Minutes:
            return state.with_(decided=(*state.decided, self.amendment))

    class WrittenProcedureStarted(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Minutes.WrittenProcedureStarted"
        procedure: WrittenProcedure

        def apply(self, state: Minutes) -> Minutes:
            return state.with_(written_procedure=self.procedure)

    class ObjectionRaised(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Minutes.ObjectionRaised"
        objection: Objection

        def apply(self, state: Minutes) -> Minutes:
            wp = state.written_procedure
            assert wp is not None
            return state.with_(written_procedure=wp.model_copy(
                update={"objections": (*wp.objections, self.objection)}))

    class Approved(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Minutes.Approved"
        approval: Approval

        def apply(self, state: Minutes) -> Minutes:
            return state.with_(approval=self.approval, status=MinutesStatus.APPROVED)

    class Corrected(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Minutes.Corrected"
        correction: Correction

        def apply(self, state: Minutes) -> Minutes:
            c = self.correction
            return state.with_(items=replace_point(state.items, c.item, c.point,
                                                   Point(text=c.text)),
                               text_version=state.text_version + 1,
                               corrections=(*state.corrections, c))

    # --- commands -----------------------------------------------------------------

    @classmethod
    def draft(cls, ctx: Context, meeting: Meeting, items: list[Item]) -> Drafted:
        if not meeting.took_place:
            raise RuleViolation(f"meeting {meeting.key} is {meeting.status}; minutes are "
                                "drafted for a meeting that was held")
        return cls.start(cls.Drafted, ctx, meeting.key, table=meeting.table,
                         meeting=meeting.key, items=cls._checked_items(meeting, items))

    def revise(self, ctx: Context, meeting: Meeting, items: list[Item], *,
               note: str | None = None, base_version: int | None = None) -> Revised:
        self._require_not_approved("revise")
        if base_version is not None and base_version != self.text_version:
            raise Conflict(f"minutes {self.key} are at version {self.text_version}, not "
                           f"{base_version}: someone revised them meanwhile; review and retry")
        checked = self._checked_items(meeting, items)
        if checked == self.items:
            raise RuleViolation(f"minutes {self.key}: the revision changes nothing")
        return self.trigger(self.Revised, ctx, items=checked,
                            note=checks.line("note", note) if note else None)

    def circulate(self, ctx: Context, deadline: datetime) -> Circulated:
        self._require_not_approved("circulate")
        opened = self.open_round(ctx, deadline, self.Circulated)
        assert isinstance(opened, self.Circulated)
        return opened

    def propose_amendment(self, ctx: Context, *, organisation: str, item: int,
                          point: int | None, text: str) -> AmendmentProposed:
        self._require_not_approved("amend")
        if self.status is MinutesStatus.DRAFT:
            raise RuleViolation(f"minutes {self.key} were not circulated yet",
                                code="not_circulated", minutes=self.key)
        self._check_target(item, point)
        amendment = Amendment(number=len(self.amendments) + 1, organisation=organisation,
                              item=item, point=point, text=checks.text("text", text))
        return self.trigger(self.AmendmentProposed, ctx, amendment=amendment,
                            on_behalf_of=organisation)

    def propose_in_stream(self, ctx: Context, token: str, *, organisation: str, item: int,
                          point: int | None, text: str) -> Proposal.Proposed:
        """The proposal in its own stream (`lrt_domain.proposals`), by the same rules as
        `propose_amendment`; `token` makes its key unique (the application draws it)."""
        a = self.propose_amendment(ctx, organisation=organisation, item=item, point=point,
                                   text=text).amendment
        return Proposal.start(Proposal.Proposed, ctx, proposal_key(self.key, token),
                              meeting=self.key, table=self.table, organisation=a.organisation,
                              item=a.item, point=a.point, text=a.text,
                              on_behalf_of=a.organisation)

    def accept_proposal(self, ctx: Context, number: int, proposal: Proposal
                        ) -> ProposalAccepted:
        """Accept the proposal in its own stream that is amendment `number`."""
        self._undecided(number, proposal)
        self._check_target(proposal.item, proposal.point)
        return self.trigger(self.ProposalAccepted, ctx, number=number, proposal=proposal.key,
                            amendment=self._from(number, proposal).model_copy(update={
                                "status": AmendmentStatus.ACCEPTED,
                                "version": self.text_version + 1}),
                            on_behalf_of=proposal.organisation)

    def reject_proposal(self, ctx: Context, number: int, proposal: Proposal, reason: str
                        ) -> ProposalRejected:
        self._undecided(number, proposal)
        reason = checks.line("reason", reason, max_length=2000)
        return self.trigger(self.ProposalRejected, ctx, number=number, reason=reason,
                            proposal=proposal.key,
                            amendment=self._from(number, proposal).model_copy(update={
                                "status": AmendmentStatus.REJECTED, "reason": reason}),
                            on_behalf_of=proposal.organisation)

    @staticmethod
    def _from(number: int, p: Proposal) -> Amendment:
        return Amendment(number=number, organisation=p.organisation, item=p.item,
                         point=p.point, text=p.text)

    def _undecided(self, number: int, proposal: Proposal) -> None:
        self._require_not_approved("amend")
        if proposal.meeting != self.key or number <= len(self.amendments):
            raise NotFound(f"amendment: minutes {self.key} have no amendment {number}",
                           code="no_amendment", field="amendment", minutes=self.key,
                           number=number)
        for a in self.decided:
            if a.number == number:
                raise RuleViolation(f"amendment {number} of {self.key} was already "
                                    f"{a.status}", code="amendment_decided",
                                    minutes=self.key, number=number, status=a.status)

    def accept_amendment(self, ctx: Context, number: int) -> AmendmentAccepted:
        a = self._pending_amendment(number)
        self._check_target(a.item, a.point)
        return self.trigger(self.AmendmentAccepted, ctx, number=number,
                            on_behalf_of=a.organisation)

    def reject_amendment(self, ctx: Context, number: int, reason: str) -> AmendmentRejected:
        a = self._pending_amendment(number)
        return self.trigger(self.AmendmentRejected, ctx, number=number,
                            reason=checks.line("reason", reason, max_length=2000),
                            on_behalf_of=a.organisation)

    def start_written_procedure(self, ctx: Context, deadline: datetime, *,
                                rules: TableRules) -> WrittenProcedureStarted:
        """Only where the table approves its minutes by written procedure (`rules`: those
        in force now)."""
        if rules.approval is not ApprovalProcedure.WRITTEN:
            raise RuleViolation(
                f"table {self.table} approves its minutes at a later meeting, not by written "
                f"procedure (its rules: lrt table rules {self.table} --approval written)")
        self._require_circulated("start a written procedure for")
        checks.in_future("deadline", deadline, ctx.now)
        if self.written_procedure and ctx.now <= self.written_procedure.deadline:
            raise RuleViolation(f"a written procedure for {self.key} is already running")
        return self.trigger(self.WrittenProcedureStarted, ctx, procedure=WrittenProcedure(
            started_at=ctx.now, deadline=deadline))

    def raise_objection(self, ctx: Context, *, person: str, organisation: str | None,
                        text: str) -> ObjectionRaised:
        self._require_not_approved("object to")
        wp = self.written_procedure
        if wp is None:
            raise RuleViolation(f"no written procedure runs for minutes {self.key}")
        if ctx.now > wp.deadline:
            raise RuleViolation(f"the written procedure for {self.key} ended at "
                                f"{shown(wp.deadline, seconds=True)}")
        return self.trigger(self.ObjectionRaised, ctx, on_behalf_of=organisation,
                            objection=Objection(person=person, organisation=organisation,
                                                text=checks.text("text", text)))

    def approve_at_meeting(self, ctx: Context, own: Meeting, at: Meeting, *,
                           rules: TableRules, chain: tuple[int, str] | None = None,
                           pending: tuple[int, ...] = ()
                           ) -> Approved:
        """Where the table approves at a meeting; where it approves by written procedure,
        only after an objection in that procedure sent the minutes to a meeting."""
        if rules.approval is ApprovalProcedure.WRITTEN and not (
                self.written_procedure and self.written_procedure.objections):
            raise RuleViolation(
                f"table {self.table} approves its minutes by written procedure; at a meeting "
                "only after an objection in that procedure")
        self._check_approvable(ctx, pending)
        if at.table != self.table:
            raise RuleViolation(f"meeting {at.key} is of table {at.table}, not {self.table}")
        if at.starts_at <= own.starts_at:
            raise RuleViolation(f"minutes are approved at a later meeting; {at.key} is not "
                                f"later than {own.key}")
        if not at.took_place:
            raise RuleViolation(f"meeting {at.key} is {at.status}; approval is recorded at a "
                                "meeting that was held")
        return self._approved(ctx, at.key, chain)

    def approve_by_written_procedure(self, ctx: Context, *,
                                     chain: tuple[int, str] | None = None,
                                     pending: tuple[int, ...] = ()) -> Approved:
        """`pending`: the numbers of the proposals in their own streams not decided yet."""
        self._check_approvable(ctx, pending)
        wp = self.written_procedure
        if wp is None:
            raise RuleViolation(f"no written procedure was started for minutes {self.key}")
        if ctx.now <= wp.deadline:
            raise RuleViolation(f"the written procedure for {self.key} runs until "
                                f"{shown(wp.deadline, seconds=True)}")
        if wp.objections:
            raise RuleViolation(f"{len(wp.objections)} objection(s) were raised in the written "
                                f"procedure; approve minutes {self.key} at a meeting")
        return self._approved(ctx, None, chain)

    def correct(self, ctx: Context, *, item: int, point: int | None, text: str,
                reason: str) -> Corrected:
        if self.status is not MinutesStatus.APPROVED:
            raise RuleViolation(f"minutes {self.key} are {self.status}: revise them instead; "
                                "only approved minutes are corrected")
        self._check_target(item, point)
        assert self.approval is not None
        return self.trigger(self.Corrected, ctx, correction=Correction(
            number=len(self.corrections) + 1, item=item, point=point,
            text=checks.text("text", text), reason=checks.line("reason", reason),
            of_version=self.approval.text_version))

    # --- questions and helpers ----------------------------------------------------

    @property
    def status_after_change(self) -> MinutesStatus:
        return MinutesStatus.DRAFT if self.status is MinutesStatus.DRAFT \
            else MinutesStatus.REVISED

    def amendment(self, number: int) -> Amendment:
        for a in (*self.amendments, *self.decided):
            if a.number == number:
                return a
        raise NotFound(f"amendment: minutes {self.key} have no amendment {number}",
                       code="no_amendment", field="amendment", minutes=self.key,
                       number=number)

    def item(self, number: int) -> Item:
        for it in self.items:
            if it.number == number:
                return it
        raise NotFound(f"item: minutes {self.key} have no item {number}", code="no_item",
                       field="item", minutes=self.key, item=number)

    def _amendment_updated(self, number: int, **changes: object) -> tuple[Amendment, ...]:
        return tuple(a.model_copy(update=changes) if a.number == number else a
                     for a in self.amendments)

    def _pending_amendment(self, number: int) -> Amendment:
        self._require_not_approved("amend")
        a = self.amendment(number)
        if a.status is not AmendmentStatus.PENDING:
            raise RuleViolation(f"amendment {number} of {self.key} was already {a.status}",
                                code="amendment_decided", minutes=self.key, number=number,
                                status=a.status)
        return a

    def _check_target(self, item: int, point: int | None) -> None:
        it = self.item(item)
        if point is not None and not 1 <= point <= len(it.points):
            raise NotFound(f"point: item {item} of {self.key} has no point {point}",
                           code="no_point", field="point", minutes=self.key, item=item,
                           point=point)

    def _require_not_approved(self, verb: str) -> None:
        if self.status is MinutesStatus.APPROVED:
            raise RuleViolation(f"minutes {self.key} are approved and final; cannot {verb} "
                                "them (record a correction instead)", code="minutes_final",
                                minutes=self.key, verb=verb)

    def _require_circulated(self, verb: str) -> None:
        self._require_not_approved(verb)
        if self.status is MinutesStatus.DRAFT:
            raise RuleViolation(f"minutes {self.key} were never circulated; cannot {verb} them")

    def _check_approvable(self, ctx: Context, pending: tuple[int, ...] = ()) -> None:
        """`pending`: the numbers of the proposals in their own streams not decided yet."""
        self._require_circulated("approve")
        current = self.current_round
        if current is not None and self.round_open(ctx.now):
            raise RuleViolation(f"the comment round on {self.key} is open until "
                                f"{shown(current.deadline, seconds=True)}")
        waiting = sorted([a.number for a in self.amendments
                          if a.status is AmendmentStatus.PENDING] + list(pending))
        if waiting:
            raise RuleViolation(f"amendment {waiting[0]} of {self.key} is still pending; "
                                "accept or reject it first")

    def _approved(self, ctx: Context, at_meeting: str | None,
                  chain: tuple[int, str] | None) -> Approved:
        """`chain`: the store's hash-chain head (length, digest) as the application read it."""
        accepted = tuple(a.number for a in (*self.amendments, *self.decided)
                         if a.status is AmendmentStatus.ACCEPTED)
        return self.trigger(self.Approved, ctx, approval=Approval(
            at_meeting=at_meeting, text_version=self.text_version, amendments=accepted,
            approved_at=ctx.now, text_digest=text_digest(self.items),
            chain_length=chain[0] if chain else None, chain_head=chain[1] if chain else None))

    @staticmethod
    def _checked_items(meeting: Meeting, items: list[Item]) -> tuple[Item, ...]:
        if not items:
            raise InvalidInput("items: minutes need at least one agenda item")
        seen: set[int] = set()
        for it in items:
            meeting.agenda_item(it.number)  # refuses an item not on the agenda
            if it.number in seen:
                raise InvalidInput(f"items: agenda item {it.number} appears twice")
            seen.add(it.number)
            checks.line(f"item {it.number} title", it.title)
            for p in it.points:
                checks.text(f"item {it.number} point", p.text)
        return tuple(sorted(items, key=lambda it: it.number))
