"""Roles: every command against every role. Each forbidden pair is refused and writes
nothing; each allowed pair works. Drafts are read only by those the domain guide names; an
auditor reads everything and changes nothing.

Each pair runs on its own copy of one prepared store (SQLite: the rules are the domain's,
the same on either store)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import stores
from worlds.application import (
    ADMIN,
    AUDITOR,
    CHAIR,
    DEADLINE,
    GUEST,
    IPO_MEMBER,
    MEMBER,
    OTHER_SECRETARIAT,
    at,
    items,
)

from lrt_app.application import Lrt, MailDecision
from lrt_app.clock import SettableClock
from lrt_domain.base import Role
from lrt_domain.errors import DomainError, Forbidden, NotFound
from lrt_domain.documents import Document
from lrt_domain.mail import MailKind
from lrt_domain.meetings import Presence
from lrt_domain.minutes import Minutes
from lrt_domain.tables import ApprovalProcedure, TableKind
from projections.views import Views

M1, M2 = "LRT-2023-11-10", "LRT-2023-12-15"
DOC = f"{M1}/D1"
NOBODY = "niemand"
OUTSIDER = "gast-elders"  # a guest not invited to any meeting of the LRT
ROLES = {  # the role of the brief -> the user acting in it
    "secretariat": ADMIN, "chair": CHAIR, "member of the owning organisation": MEMBER,
    "member of another organisation": IPO_MEMBER, "guest": GUEST, "auditor": AUDITOR,
    "unknown user": NOBODY, "secretariat of another organisation": OTHER_SECRETARIAT,
}
ADMINISTRATORS = {ADMIN, OTHER_SECRETARIAT}
MANAGERS = {ADMIN, CHAIR}
COMMENTERS = MANAGERS | {MEMBER, IPO_MEMBER, GUEST}  # the guest is invited to M1
AMENDERS = MANAGERS | {MEMBER, IPO_MEMBER}
VNG_ACTION = f"{M1}/A1"  # owned by VNG

Setup = Callable[[Lrt, SettableClock], None]
Command = Callable[[Lrt, str], Any]


def managed(login: str, value: str) -> str | None:
    """What the secretariat and the chair give on someone's behalf (--for, --on-behalf-of)."""
    return value if login in MANAGERS else None


def after_round(app: Lrt, clock: SettableClock) -> None:
    clock.set(at(2023, 11, 21, 9))


def wp_ready(app: Lrt, clock: SettableClock) -> None:
    """The table approves by written procedure; the round closed, the amendment decided."""
    after_round(app, clock)
    app.change_rules(ADMIN, "LRT", approval=ApprovalProcedure.WRITTEN)
    app.accept_amendment(ADMIN, M1, 1)


def written_procedure(app: Lrt, clock: SettableClock) -> None:
    wp_ready(app, clock)
    app.start_written_procedure(ADMIN, M1, at(2023, 11, 28, 12))


def wp_passed(app: Lrt, clock: SettableClock) -> None:
    written_procedure(app, clock)
    clock.set(at(2023, 11, 29, 9))


def m2_held(app: Lrt, clock: SettableClock) -> None:
    clock.set(at(2023, 12, 15, 12))
    app.hold_meeting(ADMIN, M2)


def approved(app: Lrt, clock: SettableClock) -> None:
    m2_held(app, clock)
    app.accept_amendment(ADMIN, M1, 1)
    app.approve_minutes(ADMIN, M1, at_meeting=M2)


def none(app: Lrt, clock: SettableClock) -> None:
    pass


def redacted(app: Lrt, clock: SettableClock) -> None:
    app.add_redaction(ADMIN, M1, passage="De voorzitter opent", ground="5.2", reason="r")


MAIL: dict[str, Any] = {
    "kind": MailKind.REMINDER, "table": "LRT", "subject": M1, "recipient_kind": "person",
    "recipient": "bestuurder-vng", "facts": {"round": "1"}, "message_id": "<k@example.nl>"}


def mail_decided(app: Lrt, clock: SettableClock) -> None:
    assert app.decide_mail(ADMIN, "k", **MAIL)


WOO_PUBLISHERS = MANAGERS
WOO_READERS = {ADMIN, CHAIR, AUDITOR}
P = "bestuurder-vng"
CASES: dict[str, tuple[set[str], Setup, Command]] = {
    "register organisation": (ADMINISTRATORS, none,
                              lambda a, u: a.register_organisation(u, "OCW", "Ministerie OCW")),
    "register person": (ADMINISTRATORS, none, lambda a, u: a.register_person(u, "Jan Jansen")),
    "record office": (ADMINISTRATORS, none, lambda a, u: a.record_office(
        u, "adviseur-elders", "burgemeester")),
    "record tooi": (ADMINISTRATORS, none, lambda a, u: a.record_tooi(
        u, "VNG", "https://identifier.overheid.nl/tooi/id/ministerie/mnre1058")),
    # Scope (permissions.require_user_registrar): JenV keeps the store and runs the LRT;
    # BZK's secretariat registers only for BZK and for people at no table yet.
    "register auditor": ({ADMIN}, none,
                         lambda a, u: a.register_user(u, "nieuw", Role.AUDITOR)),
    "register member at no table": (ADMINISTRATORS, none, lambda a, u: a.register_user(
        u, "nieuw", Role.MEMBER, organisation="COA", person="adviseur-elders")),
    "register member of the LRT": ({ADMIN}, none, lambda a, u: a.register_user(
        u, "nieuw", Role.MEMBER, organisation="VNG", person=P)),
    "register guest at no table": (ADMINISTRATORS, none, lambda a, u: a.register_user(
        u, "nieuw", Role.GUEST, person="adviseur-elders")),
    "register chair of the LRT": ({ADMIN}, none, lambda a, u: a.register_user(
        u, "nieuw", Role.CHAIR, person="minister-jenv")),
    "register JenV secretariat": ({ADMIN}, none, lambda a, u: a.register_user(
        u, "nieuw", Role.SECRETARIAT, organisation="JenV")),
    "register BZK secretariat": ({OTHER_SECRETARIAT}, none, lambda a, u: a.register_user(
        u, "nieuw", Role.SECRETARIAT, organisation="BZK")),
    "register first COA secretariat": (ADMINISTRATORS, none, lambda a, u: a.register_user(
        u, "nieuw", Role.SECRETARIAT, organisation="COA")),
    "deactivate member of the LRT": ({ADMIN}, none,
                                     lambda a, u: a.deactivate_user(u, IPO_MEMBER, "weg")),
    "deactivate BZK secretariat": ({OTHER_SECRETARIAT}, none,
                                   lambda a, u: a.deactivate_user(u, OTHER_SECRETARIAT, "weg")),
    "register JenV table": ({ADMIN}, none, lambda a, u: a.register_table(
        u, "HLRT", "Hoogambtelijke LRT", kind=TableKind.PREPARATORY, secretariat="JenV")),
    "register BZK table": ({OTHER_SECRETARIAT}, none, lambda a, u: a.register_table(
        u, "BZK-T", "Tafel van BZK", kind=TableKind.PREPARATORY, secretariat="BZK")),
    "appoint chair": (MANAGERS, none, lambda a, u: a.appoint_chair(u, "LRT", "veiligheidsberaad")),
    "change rhythm": (MANAGERS, none, lambda a, u: a.change_rhythm(u, "LRT", 6)),
    "change rules": (MANAGERS, none, lambda a, u: a.change_rules(u, "LRT", comment_round_days=9)),
    "add member": (MANAGERS, none, lambda a, u: a.add_member(
        u, "LRT", person="veiligheidsberaad", organisation="COA", function="adviseur",
        since=date(2023, 11, 1))),
    "end membership": (MANAGERS, none,
                       lambda a, u: a.end_membership(u, "LRT", 2, date(2023, 12, 31))),
    "schedule meeting": (MANAGERS, none, lambda a, u: a.schedule_meeting(
        u, "LRT", at(2024, 1, 19, 10), "Webex")),
    "reschedule meeting": (MANAGERS, none, lambda a, u: a.reschedule_meeting(
        u, M2, at(2023, 12, 18, 10), None, "Agenda minister")),
    "cancel meeting": (MANAGERS, none, lambda a, u: a.cancel_meeting(u, M2, "Geen quorum")),
    "hold meeting": (MANAGERS, lambda a, c: c.set(at(2023, 12, 15, 12)),
                     lambda a, u: a.hold_meeting(u, M2)),
    "close meeting": (MANAGERS, none, lambda a, u: a.close_meeting(u, M1)),
    "add agenda item": (MANAGERS, none, lambda a, u: a.add_agenda_item(u, M2, "Rondvraag")),
    "invite guest": (MANAGERS, none, lambda a, u: a.invite_guest(u, M2, "veiligheidsberaad")),
    "record attendance": (MANAGERS, none, lambda a, u: a.record_attendance(
        u, M1, P, Presence.REMOTE)),
    "record several attendances": (MANAGERS, none, lambda a, u: a.record_attendances(
        u, M1, [(P, Presence.REMOTE, None)])),
    "add document": (MANAGERS, none, lambda a, u: a.add_document(u, M2, "Brief", "Concept")),
    "revise document": (MANAGERS, none, lambda a, u: a.revise_document(u, DOC, "Nieuw")),
    "send document": (MANAGERS, none, lambda a, u: a.send_document(u, DOC)),
    "open comment round": (MANAGERS, lambda a, c: c.set(at(2023, 11, 25, 9)),
                           lambda a, u: a.open_comment_round(u, DOC, at(2023, 11, 30, 12))),
    "close comment round": (MANAGERS, lambda a, c: (
        c.set(at(2023, 11, 25, 9)), a.open_comment_round(ADMIN, DOC, at(2023, 11, 30, 12))),
        lambda a, u: a.close_comment_round(u, DOC, Document)),
    "comment on minutes": (COMMENTERS, none, lambda a, u: a.comment(
        u, M1, "Akkoord.", for_person=managed(u, P))),
    "comment on a document": (COMMENTERS, none, lambda a, u: a.comment(
        u, DOC, "Akkoord.", for_person=managed(u, P))),
    "draft minutes": (MANAGERS, m2_held, lambda a, u: a.draft_minutes(u, M2, items())),
    "revise minutes": (MANAGERS, none, lambda a, u: a.revise_minutes(
        u, M1, items()[:1], note="korter")),
    "circulate minutes": (MANAGERS, after_round, lambda a, u: a.circulate_minutes(
        u, M1, at(2023, 11, 28, 12))),
    "propose amendment": (AMENDERS, none, lambda a, u: a.propose_amendment(
        u, M1, item=3, point=1, text="Gemeenten melden ernstige knelpunten.",
        on_behalf_of=managed(u, "VNG"))),
    "accept amendment": (MANAGERS, none, lambda a, u: a.accept_amendment(u, M1, 1)),
    "reject amendment": (MANAGERS, none, lambda a, u: a.reject_amendment(u, M1, 1, "Nee.")),
    "start written procedure": (MANAGERS, wp_ready, lambda a, u: a.start_written_procedure(
        u, M1, at(2023, 11, 28, 12))),
    "object to minutes": (AMENDERS, written_procedure, lambda a, u: a.object_to_minutes(
        u, M1, "Bezwaar.", for_person=managed(u, P))),
    "approve at a meeting": (MANAGERS, lambda a, c: (m2_held(a, c),
                                                     a.reject_amendment(ADMIN, M1, 1, "Nee")),
                             lambda a, u: a.approve_minutes(u, M1, at_meeting=M2)),
    "approve by written procedure": (MANAGERS, wp_passed, lambda a, u: a.approve_minutes(
        u, M1, written_procedure=True)),
    "correct minutes": (MANAGERS, approved, lambda a, u: a.correct_minutes(
        u, M1, item=1, point=1, text="De voorzitter opent om 10.05 uur.", reason="tijd")),
    "agree action": (MANAGERS, none, lambda a, u: a.agree_action(
        u, M1, item=3, text="IPO inventariseert.", owners=["IPO"])),
    "report progress": (MANAGERS | {MEMBER}, none,
                        lambda a, u: a.report_progress(u, VNG_ACTION, "Loopt.")),
    "complete action": (MANAGERS, none, lambda a, u: a.complete_action(u, VNG_ACTION)),
    "cancel action": (MANAGERS, none, lambda a, u: a.cancel_action(u, VNG_ACTION, "Vervalt")),
    "carry over action": (MANAGERS, none,
                          lambda a, u: a.carry_over_action(u, VNG_ACTION, M2)),
    # Woo publication: the table's secretariat and its chair
    "add redaction": (WOO_PUBLISHERS, none, lambda a, u: a.add_redaction(
        u, M1, passage="De voorzitter opent", ground="5.2", reason="beleidsopvatting")),
    "lift redaction": (WOO_PUBLISHERS, redacted,
                       lambda a, u: a.lift_redaction(u, M1, 1, "toch openbaar")),
    "publish minutes": (WOO_PUBLISHERS, approved, lambda a, u: a.publish_minutes(u, M1)),
    # a name the directory does not hold (`redactions --suggest`), confirmed or dismissed:
    # any capitalised word of the text stands for one here
    "redact a name": (WOO_PUBLISHERS, none, lambda a, u: a.add_redaction(
        u, M1, name="Huisvesting", ground="5.1.2e", reason="naam")),
    "dismiss a suggested name": (WOO_PUBLISHERS, none, lambda a, u: a.dismiss_suggestion(
        u, M1, "Huisvesting", "geen naam")),
    # mail (lrt notify): addresses and wishes; the outbox, as the notifier of the table's
    # organisation; its cursor, each organisation's own
    "change a person's address": (ADMINISTRATORS | {MEMBER}, none, lambda a, u:
                                  a.change_person_email(u, P, "bestuurder@vng.example")),
    "opt out of a kind of mail": (ADMINISTRATORS | {MEMBER}, none, lambda a, u:
                                  a.change_mail_wish(u, P, "reminder", wanted=False)),
    "change an organisation's address": (ADMINISTRATORS, none, lambda a, u:
                                         a.change_organisation_email(
                                             u, "VNG", "secretariaat@vng.example")),
    "decide mail": ({ADMIN}, none, lambda a, u: a.decide_mail(u, "k2", **MAIL)),
    "decide mails": ({ADMIN}, none, lambda a, u: a.decide_mails(
        u, [MailDecision(key="k3", **MAIL)])),
    "record mail sent": ({ADMIN}, mail_decided, lambda a, u: a.mail_sent(
        u, "k", to="bestuurder@vng.example", reply="250 OK")),
    "record mail failed": ({ADMIN}, mail_decided, lambda a, u: a.mail_failed(
        u, "k", reason="421 later", permanent=False)),
    "record mail dropped": ({ADMIN}, mail_decided, lambda a, u: a.mail_dropped(
        u, "k", "the deadline passed")),
    "move the notifier": (ADMINISTRATORS, none, lambda a, u: a.advance_notifier(u, 3)),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The LRT world: M1 held, its minutes circulated (round until 20 November 12:00) with a
    pending VNG amendment; a document on M1 with an open round; an action owned by VNG; the
    guest invited to M1; M2 planned. The clock at 16 November."""
    from worlds.application import World
    from worlds.application import world as build_world

    path = tmp_path_factory.mktemp("roles") / "lrt.sqlite"
    clock = SettableClock(at(2023, 10, 1, 9))
    app = Lrt(env=stores.TestStore("sqlite", str(path)).env(), clock=clock)
    app.initialise(admin=ADMIN, organisation="JenV", organisation_name="JenV")
    build_world.__wrapped__(app, clock)  # type: ignore[attr-defined]
    w = World(app, clock)
    w.schedule(at(2023, 11, 10, 10))
    w.schedule(at(2023, 12, 15, 10))
    w.hold(M1)
    clock.set(at(2023, 11, 13, 9))
    app.draft_minutes(ADMIN, M1, items())
    app.circulate_minutes(ADMIN, M1, DEADLINE)
    app.invite_guest(ADMIN, M1, "veiligheidsberaad")
    app.propose_amendment(MEMBER, M1, item=1, point=1, text="De voorzitter opent om 10 uur.")
    assert app.add_document(ADMIN, M1, "Conceptbrief", "Tekst") == DOC
    app.open_comment_round(ADMIN, DOC, DEADLINE)
    assert app.agree_action(ADMIN, M1, item=3, text="VNG levert wijziging aan.",
                            owners=["VNG"]) == VNG_ACTION
    app.register_person(ADMIN, "Adviseur Elders", person_key="adviseur-elders")
    app.register_user(ADMIN, OUTSIDER, Role.GUEST, person="adviseur-elders")
    clock.set(at(2023, 11, 16, 9))
    app.close()
    return path


def open_copy(template: Path, where: Path) -> tuple[Lrt, SettableClock]:
    path = where / "lrt.sqlite"
    shutil.copy(template, path)
    clock = SettableClock(at(2023, 11, 16, 9))
    return Lrt(env=stores.TestStore("sqlite", str(path)).env(create_tables=False),
               clock=clock), clock


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command", CASES)
def test_every_command_against_every_role(template, tmp_path, command, role) -> None:
    allowed, setup, run = CASES[command]
    login = ROLES[role]
    app, clock = open_copy(template, tmp_path)
    try:
        setup(app, clock)
        before = app.recorder.max_notification_id()
        if login in allowed:
            run(app, login)
            assert app.recorder.max_notification_id() > before, f"{command} wrote nothing"
            return
        with pytest.raises(DomainError) as refused:
            run(app, login)
        assert app.recorder.max_notification_id() == before, f"{command} was refused but wrote"
        if login == NOBODY:  # refused for who it is, not for something else
            assert isinstance(refused.value, NotFound) and "user" in str(refused.value)
        else:
            assert isinstance(refused.value, Forbidden), refused.value
    finally:
        app.close()


def test_the_table_covers_every_command() -> None:
    """A new command method of `Lrt` needs a row here."""
    import inspect

    methods = {n for n, f in inspect.getmembers(Lrt, inspect.isfunction)
               if not n.startswith("_") and "login" in inspect.signature(f).parameters}
    covered = {n for n in methods
               if any(n in run.__code__.co_names for _, _, run in CASES.values())}
    # draft/revise_minutes_and_actions are what draft/revise_minutes call; check_publication
    # decides as publish_minutes does (the same `_publication`) and records nothing;
    # issue_login_link writes beside the log (tests/portal/test_identity.py: who may issue)
    assert methods - covered <= {"draft_minutes_and_actions", "revise_minutes_and_actions",
                                 "check_publication", "issue_login_link", "login", "actor"}, \
        methods - covered


@pytest.mark.parametrize("login", ROLES.values())
def test_who_reads_the_woo_redactions(template, tmp_path, login) -> None:
    app, _ = open_copy(template, tmp_path)
    try:
        def read() -> None:  # as `lrt minutes redactions` reads them
            Views.open(app).redactions(app.actor(login), M1)

        if login in WOO_READERS:
            read()
        else:
            with pytest.raises(Forbidden if login != NOBODY else NotFound):
                read()
    finally:
        app.close()


READERS = {ADMIN, CHAIR, MEMBER, IPO_MEMBER, GUEST, AUDITOR}


@pytest.mark.parametrize("login", [*ROLES.values(), OUTSIDER])
def test_drafts_are_read_only_by_those_named(template, tmp_path, login) -> None:
    app, _ = open_copy(template, tmp_path)
    try:
        views = Views.open(app)
        before = app.recorder.max_notification_id()
        reads = (lambda actor: views.minutes(actor, M1), lambda actor: views.comments(actor, M1),
                 lambda actor: views.comments(actor, DOC))
        if login == NOBODY:
            with pytest.raises(NotFound):
                app.actor(login)
            return
        actor = app.actor(login)
        for read in reads:
            if login in READERS:
                read(actor)
            else:
                with pytest.raises(Forbidden):
                    read(actor)
        if login == AUDITOR:  # and the full history, every version
            assert views.minutes(actor, M1)["status"] == "circulated"
            assert len(app.events_of(app.get(Minutes, M1).id)) >= 2
            assert len(views.history(actor, M1)) >= 3  # the proposal's own stream too
        assert app.recorder.max_notification_id() == before  # reading writes no event
    finally:
        app.close()
