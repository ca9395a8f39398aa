"""Woo publication: finding names, the default redactions, adding and lifting, the rules of
publishing, and the public rendering with its inventory (pure: states in, text out)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from lrt_app.woo import render_public
from lrt_domain import permissions, read_rules
from lrt_domain.base import Actor, Role, fold
from lrt_domain.directory import Person
from lrt_domain.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from lrt_domain.meetings import Meeting, Presence
from lrt_domain.minutes import Item, Minutes, Point, text_digest
from lrt_domain.publication import (Origin, Publication, WooGround, find_names, in_force,
                                    marker, name_pattern, redactions, split_name)
from lrt_domain.tables import Table, TableRules

from worlds.domain import (AUDITOR, CHAIR, MEMBER, OTHER_SECRETARIAT, SECRETARIAT, at, ctx,
                    held_meeting, later_meeting, table)

HELD = at(2023, 11, 10, 12)
DECIDED = at(2024, 1, 8, 10)
PUBLISHED = at(2024, 1, 9, 14)
OPINION = "Ik vind persoonlijk dat dit beleid faalt."

PERSONS = [  # key, name, title
    ("bestuurder-vng", "Liesbeth Spies", "Mevr."),  # office holder by membership
    ("ambtenaar-ipo", "Karin Morren", "Mw."),  # civil servant by membership
    ("minister-jenv", "Dilan Yeşilgöz", None),  # the chair
    ("adviseur", "Pieter van Hout", "Dhr."),  # no membership, named in the text
    ("burgemeester", "Ahmed Aboutaleb", "burgemeester"),  # a guest; an office by title
    ("ongenoemd", "Sanne de Vries", "Mw."),  # a civil servant not in these minutes
]


def persons() -> dict[str, Person]:
    return {k: fold(None, Person.register(ctx(), n, person_key=k, title=t))
            for k, n, t in PERSONS}


def the_table() -> Table:
    """The world's table, and Karin Morren's membership still running on the day."""
    t = table()
    return fold(t, t.add_member(ctx(), person="ambtenaar-ipo", organisation="IPO",
                                function="beleidsadviseur IPO", since=date(2023, 11, 6),
                                office_holder=False))


def the_meeting() -> Meeting:
    m = held_meeting()
    for person, presence in [("bestuurder-vng", Presence.PRESENT),
                             ("ambtenaar-ipo", Presence.REMOTE),
                             ("minister-jenv", Presence.PRESENT),
                             ("burgemeester", Presence.PRESENT)]:
        m = fold(m, m.record_attendance(ctx(HELD), person, presence))
    return m


ITEMS = [
    Item(number=1, title="Opening en mededelingen", points=(
        Point(text="De minister opent. Mw. K. Morren (IPO) licht de stand van zaken toe."),
        Point(text="L. Spies vraagt naar de planning."),
    )),
    Item(number=3, title="Huisvesting statushouders", points=(
        Point(text=f"Dhr. Van Hout vraagt aandacht voor de kosten. {OPINION}"),
        Point(text="VNG en mevrouw Spies steunen de richting; Karin Morren noteert."),
    )),
]


def minutes(*, approved: bool = True, meeting: Meeting | None = None) -> Minutes:
    m = meeting or the_meeting()
    mins = fold(None, Minutes.draft(ctx(at(2023, 11, 13, 9)), m, ITEMS))
    mins = fold(mins, mins.circulate(ctx(at(2023, 11, 14, 9)), at(2023, 11, 20, 12)))
    if approved:
        mins = fold(mins, mins.approve_at_meeting(ctx(at(2023, 12, 15, 13)), m,
                                                  later_meeting(), rules=TableRules()))
    return mins


class World:
    def __init__(self, *, approved: bool = True):
        self.meeting = the_meeting()
        self.table = the_table()
        self.persons = persons()
        self.minutes = minutes(approved=approved, meeting=self.meeting)
        self.publication = fold(None, Publication.open(ctx(DECIDED), self.minutes))

    @property
    def states(self) -> tuple:
        return self.minutes, self.meeting, self.table, self.persons

    def entries(self):
        return redactions(*self.states, self.publication)

    def add(self, *, person=None, passage=None, ground="5.1.2e", reason="reden",
            actor: Actor = SECRETARIAT):
        event = self.publication.add_redaction(ctx(DECIDED, actor), *self.states,
                                               person=person, passage=passage, ground=ground,
                                               reason=reason)
        self.publication = fold(self.publication, event)
        return event

    def lift(self, number: int, reason="reden"):
        event = self.publication.lift(ctx(DECIDED), *self.states, number, reason)
        self.publication = fold(self.publication, event)
        return event

    def number_of(self, person: str, origin: Origin = Origin.DEFAULT) -> int:
        return next(e.number for e in self.entries()
                    if e.person == person and e.origin is origin)

    def render(self):
        return render_public(*self.states, self.publication, approving_meeting=later_meeting(),
                             published=Publication.decision(ctx(PUBLISHED)))

    def publish(self):
        public = self.render()
        event = self.publication.publish(ctx(PUBLISHED), *self.states,
                                         public_digest=public.markdown_digest,
                                         html_digest=public.html_digest)
        self.publication = fold(self.publication, event)
        return public, event


def every_output(public) -> str:
    return "\n".join([public.markdown, html.unescape(public.html), public.inventory_markdown])


# --- finding names ----------------------------------------------------------------------


@pytest.mark.parametrize("name, split", [
    ("Jan de Reus", (["Jan"], ["de", "Reus"])),
    ("Marjolein Faber-van de Klashorst", (["Marjolein"], ["Faber-van", "de", "Klashorst"])),
    ("Dilan Yeşilgöz-Zegerius", (["Dilan"], ["Yeşilgöz-Zegerius"])),
    ("Karin Morren", (["Karin"], ["Morren"])),
    ("Rutger Groot Wassink", (["Rutger"], ["Groot", "Wassink"])),
    ("Adviseur", ([], ["Adviseur"])),
])
def test_names_split_into_given_names_and_surname(name, split):
    assert split_name(name) == split


@pytest.mark.parametrize("text", [
    "Karin Morren", "K. Morren", "K Morren", "mw. K. Morren", "Mw. Morren", "mevrouw Morren",
    "Morren", "de heer Morren",
])
def test_the_forms_of_a_name_are_found(text):
    found = find_names(f"Volgens {text}, tot slot.", persons())
    assert [(m.persons, f"Volgens {text}, tot slot."[m.start:m.end]) for m in found] == [
        (("ambtenaar-ipo",), text)]


def test_a_particle_is_found_in_either_case_and_the_longest_match_wins():
    found = find_names("Dhr. P. van Hout en Van Hout; Pieter van Hout.", persons())
    assert [(m.start, m.end) for m in found] == [(0, 16), (20, 28), (30, 45)]
    assert all(m.persons == ("adviseur",) for m in found)


def test_no_name_inside_another_word_or_in_lower_case():
    assert find_names("Morrenstraat, morren, Spiesen", persons()) == []


def test_an_acronym_surname_is_matched_only_with_its_given_name():
    """'Adviseur VNG' must not turn every 'VNG' into a redaction."""
    directory = {"adviseur-vng": Person(**{**persons()["adviseur"].model_dump(),
                                           "name": "Adviseur VNG", "key": "adviseur-vng"})}
    assert name_pattern("Adviseur VNG") is not None
    assert find_names("VNG steunt dit.", directory) == []
    assert len(find_names("Adviseur VNG steunt dit.", directory)) == 1
    # an organisation's code is not matched alone either
    assert find_names("Dit zegt Reus.", {"r": persons()["adviseur"].model_copy(
        update={"name": "Jan Reus"})}, exclude={"Reus"}) == []


def test_one_span_naming_two_persons_names_both():
    directory = {"a": persons()["adviseur"].model_copy(update={"name": "Jan Spies"}),
                 "b": persons()["bestuurder-vng"]}
    (match,) = find_names("Spies is er niet.", directory)
    assert set(match.persons) == {"a", "b"}
    # but a full name is its own person's
    (match,) = find_names("Jan Spies is er niet.", directory)
    assert match.persons == ("a",)


# --- the defaults -----------------------------------------------------------------------


def test_civil_servants_named_in_attendance_and_text_are_redacted_by_default():
    w = World()
    entries = w.entries()
    assert [(e.number, e.person, e.origin, e.ground, e.in_force) for e in entries] == [
        (1, "ambtenaar-ipo", Origin.DEFAULT, WooGround.PRIVACY, True),
        (2, "adviseur", Origin.DEFAULT, WooGround.PRIVACY, True),
    ]
    morren = entries[0]
    assert morren.locations == ("aanwezigheid", "agendapunt 1, punt 1", "agendapunt 3, punt 2")
    assert morren.occurrences == 3
    assert morren.reason == "ambtenaar: beleidsadviseur IPO (IPO)"
    assert entries[1].reason.startswith("geen ambtsdrager")


def test_office_holders_stay_named_by_membership_chair_or_title():
    named = {e.person for e in World().entries()}
    # Spies: membership says office holder; the minister chairs; the mayor's title
    assert named.isdisjoint({"bestuurder-vng", "minister-jenv", "burgemeester"})


def test_a_membership_wins_over_a_title():
    w = World()
    t = w.table
    w.table = fold(t, t.add_member(ctx(), person="burgemeester", organisation="VNG",
                                   function="adviseur", since=date(2023, 1, 1),
                                   office_holder=False))
    assert "burgemeester" in {e.person for e in w.entries()}


def test_a_substitute_is_named_in_the_attendance():
    m = the_meeting()
    m = fold(m, m.record_attendance(ctx(HELD), "ongenoemd", Presence.SUBSTITUTE,
                                    substitute_for="bestuurder-vng"))
    w = World()
    w.meeting = m
    assert "ongenoemd" in {e.person for e in w.entries()}


# --- adding and lifting -----------------------------------------------------------------


def test_a_passage_is_redacted_under_5_2_and_who_decided_when_is_recorded():
    w = World()
    event = w.add(passage=OPINION, ground="5.2", reason="persoonlijke beleidsopvatting")
    assert (event.actor, event.role, event.timestamp, event.on_behalf_of) == (
        "sec-jenv", Role.SECRETARIAT, DECIDED, "JenV")
    (entry,) = [e for e in w.entries() if e.origin is Origin.ADDED]
    assert (entry.number, entry.passage, entry.ground, entry.locations) == (
        3, OPINION, WooGround.POLICY_OPINION, ("agendapunt 3, punt 1",))
    assert entry.decided.user == "sec-jenv" and entry.decided.at == DECIDED
    public = w.render()
    assert OPINION not in every_output(public)
    assert "kosten. [5.2]" in public.markdown


def test_a_person_redaction_can_be_added_for_an_office_holder():
    w = World()
    w.add(person="bestuurder-vng", reason="verzoek betrokkene, bijzondere omstandigheden")
    assert "Spies" not in every_output(w.render())


def test_lifting_a_default_names_the_person_again():
    w = World()
    assert "Pieter van Hout" not in every_output(w.render())
    event = w.lift(w.number_of("adviseur"), "ambtenaar stemt in met openbaarmaking")
    assert event.person == "adviseur" and event.number is None
    entry = next(e for e in w.entries() if e.person == "adviseur")
    assert not entry.in_force and entry.lifted.reason.startswith("ambtenaar stemt in")
    public = w.render()
    assert "Dhr. Van Hout vraagt aandacht" in public.markdown
    assert len(public.inventory) == 1  # Morren only


def test_lifting_an_added_redaction_and_adding_a_lifted_person_again():
    w = World()
    w.add(passage=OPINION, ground="5.2")
    w.lift(3, "toch geen beleidsopvatting")
    assert OPINION in w.render().markdown
    w.lift(w.number_of("adviseur"))
    w.add(person="adviseur", reason="toch niet: geen toestemming")
    assert [e.in_force for e in w.entries()] == [True, False, False, True]
    assert "Van Hout" not in every_output(w.render())


@pytest.mark.parametrize("kwargs, error, message", [
    ({}, InvalidInput, "redaction: give one of a person, a passage or a name"),
    ({"person": "adviseur", "passage": "x"}, InvalidInput, "give one of a person"),
    ({"person": "niemand"}, NotFound, "person: no person 'niemand'"),
    ({"person": "ongenoemd"}, RuleViolation, "ongenoemd is not named in minutes"),
    ({"person": "ambtenaar-ipo"}, RuleViolation, "ambtenaar-ipo is already redacted"),
    ({"passage": "Dit staat er niet."}, RuleViolation, "passage: does not occur"),
    ({"passage": "  "}, InvalidInput, "passage: must not be empty"),
    ({"passage": OPINION, "reason": ""}, InvalidInput, "reason: must not be empty"),
    ({"passage": OPINION, "ground": "5.1.1"}, InvalidInput, "ground: '5.1.1' is not one of"),
])
def test_bad_redactions_are_refused(kwargs, error, message):
    w = World()
    with pytest.raises(error, match=message):
        w.add(**{"reason": "reden", **kwargs})


def test_the_same_passage_twice_is_refused():
    w = World()
    w.add(passage=OPINION, ground="5.2")
    with pytest.raises(RuleViolation, match="passage: already redacted"):
        w.add(passage=OPINION, ground="5.2")


def test_lifting_an_unknown_or_lifted_redaction_is_refused():
    w = World()
    with pytest.raises(NotFound, match="have no redaction 9"):
        w.lift(9)
    w.lift(1)
    with pytest.raises(RuleViolation, match="redaction 1 of minutes LRT-2023-11-10 was "
                                            "already lifted"):
        w.lift(1)


# --- who may --------------------------------------------------------------------------


@pytest.mark.parametrize("actor, allowed", [
    (SECRETARIAT, True), (OTHER_SECRETARIAT, False), (CHAIR, True), (MEMBER, False),
    (AUDITOR, False),
])
def test_those_who_run_the_table_decide_on_publication(actor, allowed):
    if allowed:
        permissions.require_publisher(actor, the_table(), "redact minutes")
    else:
        with pytest.raises(Forbidden, match=r"the secretariat of table LRT, JenV, or its chair"):
            permissions.require_publisher(actor, the_table(), "redact minutes")


@pytest.mark.parametrize("actor, allowed", [
    (SECRETARIAT, True), (CHAIR, True), (AUDITOR, True), (MEMBER, False),
    (OTHER_SECRETARIAT, False),
])
def test_the_redactions_are_read_by_secretariat_chair_and_auditors(actor, allowed):
    def read() -> None:
        read_rules.require_reader(actor, read_rules.View.REDACTIONS, the_table(),
                                  "the Woo redactions", day=date(2023, 12, 1),
                                  meeting=the_meeting())

    if allowed:
        read()
    else:
        with pytest.raises(Forbidden, match="read the Woo redactions"):
            read()


# --- publishing -------------------------------------------------------------------------


def test_unapproved_minutes_are_not_published():
    w = World(approved=False)
    with pytest.raises(RuleViolation, match="minutes LRT-2023-11-10 are circulated; only "
                                            "approved minutes are published"):
        w.publication.publish(ctx(PUBLISHED), *w.states, public_digest="0" * 64,
                              html_digest="0" * 64)
    with pytest.raises(RuleViolation, match="only approved minutes"):
        render_public(*w.states, w.publication)


def test_the_publication_records_digests_versions_and_the_inventory():
    w = World()
    w.add(passage=OPINION, ground="5.2", reason="persoonlijke beleidsopvatting")
    public, event = w.publish()
    assert (event.number, event.text_version, event.approved_version) == (1, 1, 1)
    assert event.text_digest == text_digest(w.minutes.items) == event.approved_digest
    assert event.public_digest == public.markdown_digest
    assert event.html_digest == public.html_digest
    assert [(e.number, e.ref, e.ground.value, e.default, e.decided_by_role,
             e.decided_by_organisation, e.decided_at) for e in event.inventory] == [
        (1, "person:ambtenaar-ipo", "5.1.2e", True, Role.SECRETARIAT, "JenV", PUBLISHED),
        (2, "person:adviseur", "5.1.2e", True, Role.SECRETARIAT, "JenV", PUBLISHED),
        (3, "passage:1", "5.2", False, Role.SECRETARIAT, "JenV", DECIDED),
    ]
    record = w.publication.publications[0]
    assert record.published.user == "sec-jenv" and record.published.at == PUBLISHED


def test_publishing_again_unchanged_is_refused_but_after_a_change_it_is_a_new_one():
    w = World()
    w.publish()
    with pytest.raises(RuleViolation, match=r"already published as they are \(publication 1\)"):
        w.publish()
    w.lift(w.number_of("adviseur"), "toestemming")
    _, event = w.publish()
    assert event.number == 2


def test_a_passage_that_no_longer_occurs_blocks_publication():
    w = World()
    w.add(passage=OPINION, ground="5.2")
    c = w.minutes.correct(ctx(at(2024, 1, 8, 12)), item=3, point=1,
                          text="Dhr. Van Hout vraagt aandacht voor de kosten.",
                          reason="verkeerd genotuleerd")
    w.minutes = fold(w.minutes, c)
    with pytest.raises(RuleViolation, match="its passage no longer occurs"):
        w.publish()


# --- the public rendering ---------------------------------------------------------------


def test_no_civil_servant_name_in_the_public_text_and_office_holders_named():
    public = World().render()
    everything = every_output(public)
    for name in ("Karin", "Morren", "Pieter", "Van Hout", "van Hout"):
        assert name not in everything
    # named as the seeds name them: title and surname (the full name where no title)
    for name in ("Mevr. Spies (VNG)", "Dilan Yeşilgöz", "burgemeester Aboutaleb",
                 "L. Spies vraagt", "mevrouw Spies steunen"):
        assert name in public.markdown
    assert "[5.1.2e] (IPO) (digitaal)" in public.markdown  # attendance, as in seed 003
    assert "De minister opent. [5.1.2e] (IPO) licht" in public.markdown
    assert "[5.1.2e] vraagt aandacht" in public.markdown
    assert "Vastgesteld | in de vergadering van 15 december 2023" in public.markdown
    assert "<li>De minister opent. [5.1.2e] (IPO) licht" in public.html
    assert "5.1.2e] eerbiediging van de persoonlijke levenssfeer" in public.markdown


def test_the_inventory_lists_each_redaction_with_ground_decider_and_time():
    w = World()
    w.add(passage=OPINION, ground="5.2", reason="persoonlijke beleidsopvatting van K. Morren")
    public = w.render()
    rows = [line for line in public.inventory_markdown.splitlines()
            if line.startswith("| ") and line[2].isdigit()]
    assert rows == [
        "| 1 | naam van persoon 1 | 5.1.2e | secretariaat JenV (standaard voor ambtenaren) "
        "| 9 januari 2024, 14:00 | 3 |",
        "| 2 | naam van persoon 2 | 5.1.2e | secretariaat JenV (standaard voor ambtenaren) "
        "| 9 januari 2024, 14:00 | 1 |",
        "| 3 | passage | 5.2 | secretariaat JenV | 8 januari 2024, 10:00 | 1 |",
    ]
    # neither the text redacted, nor the reason, nor the decider's login
    for secret in ("Morren", OPINION, "beleidsopvatting van", "sec-jenv"):
        assert secret not in public.inventory_markdown


def test_rendering_states_of_an_earlier_moment():
    """The caller passes states as they were: the publication before a lift still hides."""
    w = World()
    before = w.publication
    w.lift(w.number_of("adviseur"), "toestemming")
    earlier = render_public(*w.states, before, approving_meeting=later_meeting())
    assert "Van Hout" not in every_output(earlier)
    assert "Van Hout" in w.render().markdown
    # without a publication decision, defaults are the rule's, with no time
    assert "standaardregel (ambtenaren) | bij openbaarmaking" in earlier.inventory_markdown


def test_a_redacted_name_the_finder_misses_is_refused_not_published(monkeypatch):
    w = World()
    c = w.minutes.correct(ctx(at(2024, 1, 8, 13)), item=1, point=2,
                          text="Ondertekend: KARIN MORREN", reason="handtekening")
    w.minutes = fold(w.minutes, c)
    assert "KARIN MORREN" not in every_output(w.render())  # the finder folds case now
    # a finder that misses a form: the check on the outputs refuses to publish
    import lrt_domain.publication as publication

    def blind(text, persons, **kwargs):
        return [m for m in find_names(text, persons, **kwargs) if text[m.start:m.end].lower()
                != "karin morren"]

    monkeypatch.setattr(publication, "find_names", blind)
    with pytest.raises(RuleViolation, match="would still hold a redacted name"):
        w.render()


def test_the_marker_names_the_ground():
    assert marker([WooGround.PRIVACY]) == "[5.1.2e]"
    assert marker([WooGround.PRIVACY, WooGround.POLICY_OPINION, WooGround.PRIVACY]) == \
        "[5.1.2e, 5.2]"


def test_a_passage_overlapping_a_name_gives_one_marker_with_both_grounds():
    w = World()
    w.add(passage="Karin Morren noteert", ground="5.2")
    assert "de richting; [5.1.2e, 5.2]." in w.render().markdown
    assert len(in_force(w.entries())) == 3


# --- every form of a redacted name (issue 15, point 5) ------------------------------------

# The probe of the issue: the civil servant "Ann Vorst" written eighteen ways; the last
# nine were left in the public text before names were matched on folded text.
PROBE = ["Ann Vorst", "A. Vorst", "A Vorst", "mw. A. Vorst", "mw. Vorst", "mevrouw Vorst",
         "Vorst", "ANN VORST", "Ann  Vorst",
         "VORST", "Ann", "Vor\u00adst", "Ann\u200bVorst", "Vörst", "ann.vorst@minjenv.nl",
         "ann-vorst", "Vorsts", "\uff21\uff4e\uff4e \uff36\uff4f\uff52\uff53\uff54"]


def vorst_world() -> World:
    """Ann Vorst, a civil servant, attends (remotely): she is named in the minutes."""
    w = World()
    w.persons = {**w.persons, "ann-vorst": fold(None, Person.register(
        ctx(), "Ann Vorst", person_key="ann-vorst", title="Mw."))}
    w.meeting = fold(w.meeting, w.meeting.record_attendance(ctx(HELD), "ann-vorst",
                                                            Presence.REMOTE))
    return w


@pytest.mark.parametrize("form", PROBE)
def test_every_form_of_a_redacted_name_is_redacted(form):
    w = vorst_world()
    text = f"Volgens {form} nota is de vorst voorbij."
    c = w.minutes.correct(ctx(at(2024, 1, 8, 12)), item=1, point=2, text=text,
                          reason="probe")
    w.minutes = fold(w.minutes, c)
    assert w.number_of("ann-vorst")  # named in the text: redacted by default
    public = w.render()
    line = next(ln for ln in public.markdown.splitlines() if "nota is de vorst" in ln)
    expected = ("[5.1.2e]@minjenv.nl" if "@" in form else "[5.1.2e]")
    assert line == f"- Volgens {expected} nota is de vorst voorbij.", line  # "vorst": a word
    for output in (public.markdown, html.unescape(public.html), public.inventory_markdown):
        assert not re.search(r"v\W*o\W*r\W*s\W*t\W", fold_for_test(output).replace(
            "de vorst voorbij", ""), re.IGNORECASE)


def fold_for_test(text: str) -> str:
    from lrt_domain.publication import fold as fold_text

    return fold_text(text)[0]


@pytest.mark.parametrize("text, expected", [
    ("Zie de nota van mw. J. Jansen.", "Zie de nota van [5.1.2e]."),
    ("Jansens voorstel wordt gevolgd.", "[5.1.2e] voorstel wordt gevolgd."),
    ("Mail jan.jansen@minjenv.nl of Jansen.", "Mail [5.1.2e]@minjenv.nl of [5.1.2e]."),
])
def test_initials_possessives_and_mail_addresses(text, expected):
    w = World()
    w.persons = {**w.persons, "jan-jansen": fold(None, Person.register(
        ctx(), "Jan Jansen", person_key="jan-jansen", title="Dhr."))}
    c = w.minutes.correct(ctx(at(2024, 1, 8, 12)), item=1, point=2, text=text,
                          reason="probe")
    w.minutes = fold(w.minutes, c)
    assert f"- {expected}" in w.render().markdown.splitlines()


def test_an_office_holder_keeps_the_name_a_word_stays_a_word():
    """Folding takes case off only where the form holds a capital: "spies" and "vorst"
    are words; an office holder's name is never redacted."""
    found = find_names("de spies, de vorst en Mevr. Spies", persons())
    assert [m.persons for m in found] == [("bestuurder-vng",)]


def test_a_guest_who_holds_a_public_office_is_named():
    """Seed 004: "Dhr. Kolff (VB)", a mayor, a guest of the meeting: his office recorded on
    the person names him; without it he is redacted as a civil servant."""
    def world(office: str | None) -> World:
        w = World()
        kolff = fold(None, Person.register(ctx(), "Wouter Kolff", person_key="kolff",
                                           title="Dhr."))
        if office:
            kolff = fold(kolff, kolff.record_office(ctx(), office))
        w.persons = {**w.persons, "kolff": kolff}
        w.meeting = fold(w.meeting, w.meeting.record_attendance(ctx(HELD), "kolff",
                                                                Presence.REMOTE))
        return w

    named = world("burgemeester van Dordrecht").render().markdown
    assert "Dhr. Kolff" in named
    assert "Kolff" not in world(None).render().markdown
    kolff = fold(None, Person.register(ctx(), "Wouter Kolff", person_key="kolff"))
    kolff = fold(kolff, kolff.record_office(ctx(), "burgemeester"))
    with pytest.raises(RuleViolation, match="already"):
        kolff.record_office(ctx(), "burgemeester")
    assert fold(kolff, kolff.record_office(ctx(), None)).office is None


# --- a name the directory does not hold (a suggestion of deduce, confirmed) ----------------

GROOT = ["Pieter de Groot", "P. de Groot", "dhr. De Groot", "De Groot", "DE GROOT",
         "De Groots", "Pieter de Gr\u00f6\u00f6t", "Pieter\u00adde Groot"]


@pytest.mark.parametrize("form", GROOT)
def test_a_confirmed_name_is_redacted_in_every_form(form):
    w = World()
    text = f"Volgens {form} is de groot-schalige opvang voorbij."
    w.minutes = fold(w.minutes, w.minutes.correct(ctx(at(2024, 1, 8, 12)), item=1, point=2,
                                                  text="Dhr. Pieter de Groot belt. " + text,
                                                  reason="probe"))
    event = w.publication.add_redaction(ctx(DECIDED), *w.states, person=None, passage=None,
                                        name="Pieter  de Groot", ground="5.1.2e",
                                        reason="voorstel deduce")
    assert event.name == "Pieter de Groot"  # spacing as one
    w.publication = fold(w.publication, event)
    (entry,) = [e for e in w.entries() if e.name]
    assert entry.kind.value == "name" and entry.occurrences == 2
    public = w.render()
    assert ("- [5.1.2e] belt. Volgens [5.1.2e] is de groot-schalige opvang voorbij."
            in public.markdown.splitlines()), public.markdown
    assert "naam van persoon" in public.inventory_markdown


def test_a_name_of_the_directory_or_not_in_the_text_is_refused():
    w = World()
    with pytest.raises(RuleViolation, match="is person ambtenaar-ipo of the directory"):
        w.publication.add_redaction(ctx(DECIDED), *w.states, person=None, passage=None,
                                    name="Karin Morren", ground="5.1.2e", reason="r")
    with pytest.raises(RuleViolation, match="does not occur"):
        w.publication.dismiss(ctx(DECIDED), *w.states, "Jan Jansen", "r")
    with pytest.raises(InvalidInput, match="give one of"):
        w.publication.add_redaction(ctx(DECIDED), *w.states, person=None, passage="x",
                                    name="Jan", ground="5.1.2e", reason="r")


# --- phone numbers: redacted by default, as a civil servant's name ---------------------------

@pytest.mark.parametrize("number", [
    "06-12345678", "06 1234 5678", "0612345678", "070-1234567", "070 123 4567",
    "(070) 123 45 67", "+31 6 1234 5678", "+31 (0)70 123 4567", "0031 70 1234567",
    "\uff10\uff16\uff0d\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18"])  # fullwidth
def test_a_phone_number_is_redacted_by_default(number):
    w = World()
    w.minutes = fold(w.minutes, w.minutes.correct(
        ctx(at(2024, 1, 8, 12)), item=1, point=2, reason="probe",
        text=f"Bel {number} voor de cijfers van 2023-11-10 (LRT-2023-11-10, 1.234.567 euro)."))
    (entry,) = [e for e in w.entries() if e.phone]
    assert (entry.kind.value, entry.origin, entry.occurrences) == ("phone", Origin.DEFAULT, 1)
    public = w.render()
    assert ("- Bel [5.1.2e] voor de cijfers van 2023-11-10 (LRT-2023-11-10, 1.234.567 euro)."
            in public.markdown.splitlines()), public.markdown
    assert "telefoonnummer" in public.inventory_markdown


def test_a_phone_number_redaction_is_lifted_like_a_default():
    w = World()
    w.minutes = fold(w.minutes, w.minutes.correct(
        ctx(at(2024, 1, 8, 12)), item=1, point=2, reason="probe",
        text="Het algemene nummer van het COA is 088-7157000 (ook 088 715 7000)."))
    (entry,) = [e for e in w.entries() if e.phone]
    assert (entry.phone, entry.occurrences) == ("0887157000", 2)
    event = w.lift(entry.number, "algemeen nummer van een organisatie")
    assert (event.phone, event.person, event.number) == ("0887157000", None, None)
    assert not [e for e in w.entries() if e.phone and e.in_force]
    assert "088-7157000 (ook 088 715 7000)" in w.render().markdown


@pytest.mark.parametrize("text", ["Op 10-11-2023 om 09.15 uur", "Zaak 0123-45", "In 2023 "
                                  "kwamen 12345678 aanvragen", "Versie 0.9.8 van DiWoo"])
def test_numbers_that_are_no_phone_numbers_stay(text):
    from lrt_domain.publication import find_phones

    assert find_phones(text) == []
