"""Woo publication of approved minutes: redactions and publications (issue 4).

One `Publication` per meeting (key: the meeting's key) holds the Woo decisions on that
meeting's minutes. Redactions are structured annotations: which text (a person, by person
key, or a literal passage), the Woo ground, who decided and when (the event's actor, role
and record time), and why.

The redactions in force are the default set + those added - those lifted:

- By default every person named in the minutes (in the attendance, as a substitute, or by
  name in the text) who is not a public office holder is redacted under 5.1.2e. An office
  holder is named: by their membership of the table on the meeting's day (else their most
  recent membership there), else when they chair the table, else when their title names a
  public office (minister, burgemeester, ...), as the domain guide lists them.
- The secretariat of the table adds redactions (a person, or a passage, e.g. a personal
  policy opinion under 5.2) and lifts any, a default one too (an office holder wrongly
  treated, a civil servant who consents).

Known persons' names are found in the text by `find_names`, a pure function. Only approved
minutes are published; each publication records its inventory of redactions and the
SHA-256 digests of the public text and of the approved text it was made from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from . import checks
from .base import Aggregate, Context, DomainEvent, Model, Role
from .dutch_time import local_date
from .errors import InvalidInput, NotFound, RuleViolation, Unchanged
from .meetings import Meeting
from .minutes import Minutes, MinutesStatus, text_digest
from .tables import Membership, Table


class WooGround(StrEnum):
    """The grounds of the Wet open overheid (Woo) on which text is withheld."""

    PRIVACY = "5.1.2e"  # art. 5.1, tweede lid, onder e: names of civil servants
    POLICY_OPINION = "5.2"  # art. 5.2: personal policy opinions in internal deliberation


GROUND_DESCRIPTIONS: dict[WooGround, str] = {
    WooGround.PRIVACY: "eerbiediging van de persoonlijke levenssfeer (art. 5.1, tweede lid, "
                       "onder e, Woo)",
    WooGround.POLICY_OPINION: "persoonlijke beleidsopvattingen in documenten voor intern "
                              "beraad (art. 5.2 Woo)",
}


def marker(grounds: Iterable[WooGround]) -> str:
    """What replaces redacted text: its ground(s) between brackets, as Woo documents print
    the ground in the blacked-out area: "[5.1.2e]"."""
    order = list(WooGround)
    return "[" + ", ".join(g.value for g in sorted(set(grounds), key=order.index)) + "]"


class TargetKind(StrEnum):
    PERSON = "person"
    PASSAGE = "passage"
    NAME = "name"  # a name not in the directory (a suggestion confirmed), in all its forms
    PHONE = "phone"  # a phone number in the text (a default, as a civil servant's name)


class Origin(StrEnum):
    DEFAULT = "default"  # a civil servant named in the minutes
    ADDED = "added"  # added by the secretariat


class Decision(Model):
    """Who decided (user, role, their organisation), when (record time) and why."""

    user: str
    role: Role
    organisation: str | None = None
    at: datetime
    reason: str


class AddedRedaction(Model):
    number: int  # 1, 2, ... in the order added
    person: str | None = None
    passage: str | None = None
    name: str | None = None  # a name the directory does not hold
    ground: WooGround
    decided: Decision
    lifted: Decision | None = None


class DismissedName(Model):
    """A suggested name (`lrt minutes redactions --suggest`) the secretariat left in clear."""

    name: str
    decided: Decision


class NamedOnly(Model):
    """A name without a person in the directory, matched as a person's name is."""

    name: str


def name_key(number: int) -> str:
    """The key a name redaction is matched under beside the persons' keys (a person's key
    never holds a colon)."""
    return f"name:{number}"


def same_name(a: str, b: str) -> bool:
    """Two spellings of one name: alike after folding (`fold`), case and spacing."""
    def norm(n: str) -> str:
        return " ".join(fold(n)[0].casefold().split())
    return norm(a) == norm(b)


class LiftedDefault(Model):
    """A default redaction lifted: of a person, or of a phone number (its digits)."""

    person: str | None = None
    phone: str | None = None
    decided: Decision


class InventoryEntry(Model):
    """One redaction as the public inventory lists it: never the redacted text itself."""

    number: int  # 1.. in the inventory
    kind: TargetKind
    person_number: int | None = None  # persons are referred to by number ("persoon 2")
    default: bool  # the default for civil servants, or an added redaction
    ground: WooGround
    decided_by_role: Role | None = None  # None: the default rule, not yet published
    decided_by_organisation: str | None = None
    decided_at: datetime | None = None
    occurrences: int
    # internal references, for the record (kept in the store, never rendered in public):
    ref: str  # "person:KEY", "passage:N", "name:N" or "phone:DIGITS"


class PublicationRecord(Model):
    number: int
    published: Decision
    text_version: int  # the version of the minutes' text it was made from
    text_digest: str  # SHA-256 of that text (`minutes.text_digest`)
    approved_version: int
    approved_digest: str | None  # the digest the approval recorded (None: not recorded)
    public_digest: str  # SHA-256 of the public Markdown (UTF-8)
    html_digest: str  # SHA-256 of the public HTML (UTF-8)
    inventory: tuple[InventoryEntry, ...]


# --- finding names ---------------------------------------------------------------------

# Surname particles (tussenvoegsels): written with a capital at the start of a sentence or
# after a salutation ("Dhr. Van Hout"), so matched in either case.
PARTICLES = {"van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "in", "op", "la",
             "le", "du", "da", "von", "vande", "vanden", "vander", "uit", "dos", "del"}
SALUTATION = (r"(?:(?:[Dd]hr|DHR|[Mm]w|MW|[Mm]evr|[Mm]r|[Dd]r|[Dd]rs|[Ii]r|[Ii]ng|[Pp]rof)"
              r"\.?\s+|(?:[Dd]e\s+heer|[Mm]evrouw|[Mm]eneer)\s+)")
UPPER = "A-ZÀ-ÖØ-Þ"
INITIALS = rf"(?:(?:[{UPPER}]\.\s?){{1,4}}|[{UPPER}]\s)"
WORD = r"A-Za-z0-9À-ÖØ-öø-ÿ"
# Titles that name a public office (the domain guide: minister, mayor, board member).
OFFICE_TITLES = re.compile(
    r"(?<![a-z])(minister|staatssecretaris|burgemeester|wethouder|gedeputeerde|"
    r"commissaris van de koning(in)?|cdk|dijkgraaf|bestuurder|gouverneur)(?![a-z])",
    re.IGNORECASE)


def split_name(name: str) -> tuple[list[str], list[str]]:
    """The given name and the surname with its particles, as Dutch minutes write names
    (first name and surname): 'Jan de Reus' -> (['Jan'], ['de', 'Reus']); 'Rutger Groot
    Wassink' -> (['Rutger'], ['Groot', 'Wassink']); a one-word name is a surname."""
    tokens = name.split()
    if len(tokens) <= 1:
        return [], tokens
    return tokens[:1], tokens[1:]


# Characters that do not show, or show as nothing but a possible break: dropped before
# names are matched (a soft hyphen or a zero-width space inside a name hides it from a
# plain search, not from a reader).
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e\u034f")
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d")
POSSESSIVE = r"(?:['\u2019]?s)?"  # "Vorsts nota", "Jansen's voorstel"
# between given name and surname: "ann-vorst", "ann.vorst"; none where an invisible
# character stood between them ("Ann\u200bVorst")
SEPARATOR = r"[\s\-._]*"
EMAIL = re.compile(r"([A-Za-z0-9._%+\-]+)@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


def fold(text: str) -> tuple[str, list[int]]:
    """`text` as names are matched in it: NFKC (fullwidth and other compatibility forms to
    their plain letters), invisible characters dropped, dashes as '-', diacritics taken
    off ("Vörst" -> "Vorst"); case is kept (`find_names` folds it where safe). With, for
    each character of the result, the index of the character of `text` it came from."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in INVISIBLE:
            continue
        for c in unicodedata.normalize("NFKC", ch):
            if c in DASHES:
                c = "-"
            for d in unicodedata.normalize("NFD", c):
                if not unicodedata.combining(d) and d not in INVISIBLE:
                    out.append(d)
                    index.append(i)
    return "".join(out), index


def _folded(word: str) -> str:
    return fold(word)[0]


def _surname_pattern(surname: list[str]) -> str:
    tokens = [t for token in surname for t in _folded(token).split("-") if t]
    return r"[\s\-]+".join(re.escape(t) for t in tokens)


def name_patterns(name: str, *, exclude: Iterable[str] = (), given_alone: bool = False
                  ) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """How a person's name is written in minutes, as two patterns on folded text (`fold`),
    both matched in any case:

    - the full forms, matched as they stand: the full name ("Ann Vorst", "ann-vorst",
      "ANN VORST"); initials and surname ("L. Spies", "M Keijzer"); a salutation and
      surname ("mw. Spies", "dhr. A. van Hout"); each also possessive ("Vorsts");
    - the bare forms, matched only where they hold a capital ("Vorst", "VORST", not the
      word "vorst"): the surname alone where that is safe (three letters or more, not all
      capitals, not an organisation's code in `exclude`), a one-word name, and with
      `given_alone` the given name alone ("Ann", three letters or more)."""
    given, surname = split_name(name.strip())
    if not surname:
        return None, None
    last = _surname_pattern(surname) + POSSESSIVE
    first = r"\s+".join(re.escape(_folded(g)) for g in given)
    bare = " ".join(surname)
    codes = {c.casefold() for c in exclude}
    alone = (len(bare) >= 3 and any(c.islower() for c in surname[-1])
             and bare.casefold() not in codes and _folded(bare).casefold() not in codes
             and bool(given))
    full: str | None = None
    if given:
        full = (rf"{SALUTATION}?{first}{SEPARATOR}{last}"
                rf"|{SALUTATION}(?:{INITIALS}\s*)?{last}|{INITIALS}\s*{last}")
    bare_forms = []
    if alone or not given:
        bare_forms.append(rf"{SALUTATION}?{last}")
    if given_alone and given and len(_folded(given[0])) >= 3 \
            and given[0].casefold() not in codes:
        bare_forms.append(rf"{first}{POSSESSIVE}")

    def compiled(body: str | None) -> re.Pattern[str] | None:
        if not body:
            return None
        return re.compile(rf"(?<![{WORD}])(?:{body})(?![{WORD}])", re.IGNORECASE)

    return compiled(full), compiled("|".join(bare_forms))


def name_pattern(name: str, *, exclude: Iterable[str] = ()) -> re.Pattern[str] | None:
    """The full forms of a name (`name_patterns`), else its bare forms."""
    full, bare = name_patterns(name, exclude=exclude)
    return full or bare


class NameMatch(Model):
    start: int
    end: int
    persons: tuple[str, ...]  # the person keys whose name this is (ambiguous: several)


def _email_local_parts(folded: str, given: list[str], surname: list[str]
                       ) -> list[tuple[int, int]]:
    """The local parts of e-mail addresses that hold the surname ("ann.vorst@",
    "a.vorst@", "vorsta@"): the part before the "@", not the domain."""
    compact = "".join(_folded(t) for t in surname).replace("-", "").casefold()
    if len(compact) < 3:
        return []
    out = []
    for m in EMAIL.finditer(folded):
        local = re.sub(r"[._%+\-]", "", m[1]).casefold()
        if compact in local:
            out.append((m.start(1), m.end(1)))
    return out


# A Dutch phone number as minutes write it: "06-12345678", "070 123 4567", "(070) 123 45
# 67", "+31 6 1234 5678", "+31 (0)70 1234567", "0031 70 ..."; a candidate is one only when
# its digits make a Dutch number (0 and nine digits, the first not 0, after the country
# code is read as 0), so that dates, years and references stay.
PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+31|0031|\(?0)[\d \t().\-]{7,17}\d(?!\w)")


def phone_digits(number: str) -> str | None:
    """The national form of a phone number ("0612345678"), or None if it is none."""
    digits = re.sub(r"\D", "", number)
    if number.startswith("+31") or number.startswith("0031"):
        digits = digits[2:] if number.startswith("+") else digits[4:]
        digits = digits[1:] if digits.startswith("0") else digits  # "+31 (0)70"
        digits = "0" + digits
    return digits if re.fullmatch(r"0[1-9]\d{8}", digits) else None


def find_phones(text: str) -> list[tuple[int, int, str]]:
    """Where Dutch phone numbers occur in `text` (read folded: fullwidth digits too), with
    each one's national digits. Pure."""
    folded, index = fold(text)
    out = []
    for m in PHONE_CANDIDATE.finditer(folded):
        digits = phone_digits(m[0])
        if digits is not None:
            out.append((index[m.start()], index[m.end() - 1] + 1, digits))
    return out


def find_names(text: str, persons: Mapping[str, object], *, exclude: Iterable[str] = (),
               given_alone: bool = False) -> list[NameMatch]:
    """Where known persons' names occur in `text` (`persons`: key -> anything with a
    `name`), in every form `name_patterns` knows, after folding the text (`fold`: so a
    fullwidth, accented, soft-hyphenated or zero-width-split name is found too), and in
    the local part of e-mail addresses. The longest match wins where matches overlap
    ("Jan Spies" over "Spies"); a span that is the name of several persons names them all.
    Spans are of `text` itself (an invisible character inside a name is inside the span).
    Pure."""
    exclude = set(exclude)
    folded, index = fold(text)
    found: list[tuple[int, int, str]] = []
    for key, person in persons.items():
        name = str(getattr(person, "name"))
        full, bare = name_patterns(name, exclude=exclude, given_alone=given_alone)
        if full is not None:
            found += [(m.start(), m.end(), key) for m in full.finditer(folded)]
        if bare is not None:
            found += [(m.start(), m.end(), key) for m in bare.finditer(folded)
                      if any(c.isupper() for c in m[0])]
        given, surname = split_name(name.strip())
        if given:
            found += [(s, e, key) for s, e in _email_local_parts(folded, given, surname)]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), f[2]))
    out: list[NameMatch] = []
    for start, end, key in found:
        if end <= start:
            continue
        original = (index[start], index[end - 1] + 1)
        if out and original[0] < out[-1].end:
            last = out[-1]
            if original == (last.start, last.end) and key not in last.persons:
                out[-1] = last.model_copy(update={"persons": (*last.persons, key)})
            continue
        out.append(NameMatch(start=original[0], end=original[1], persons=(key,)))
    return out


# --- the texts of the minutes, and who is an office holder -------------------------------


def minutes_texts(minutes: Minutes, meeting: Meeting) -> list[tuple[str, str]]:
    """Every free text of the minutes that is published, with where it is (in Dutch)."""
    texts = [("vergaderplaats", meeting.place)]
    for it in minutes.items:
        texts.append((f"agendapunt {it.number}, titel", it.title))
        texts += [(f"agendapunt {it.number}, punt {k}", p.text)
                  for k, p in enumerate(it.points, start=1)]
    texts += [(f"correctie {c.number}", c.reason) for c in minutes.corrections]
    return texts


def organisation_codes(table: Table) -> set[str]:
    return {table.secretariat, *(m.organisation for m in table.memberships)}


def membership_for(table: Table, person: str, day: date) -> Membership | None:
    """The membership that says what a person was at the table on a day: the one active
    then, else their most recent one there."""
    active = table.membership_of(person, day)
    if active is not None:
        return active
    theirs = [m for m in table.memberships if m.person == person]
    return max(theirs, key=lambda m: (m.since, m.number)) if theirs else None


def is_office_holder(person_key: str, person: object | None, table: Table, day: date) -> bool:
    """Named in publications: by membership; else as the table's chair; else by the public
    office recorded on the person (a guest: "burgemeester van Dordrecht"); else by a title
    that names a public office."""
    membership = membership_for(table, person_key, day)
    if membership is not None:
        return membership.office_holder
    if table.chair == person_key:
        return True
    if getattr(person, "office", None):  # a public office recorded on the person
        return True
    title = getattr(person, "title", None) if person is not None else None
    return bool(title and OFFICE_TITLES.search(title))


# --- the redactions in force --------------------------------------------------------------


class RedactionEntry(Model):
    """One redaction, default or added, in force or lifted, and where it applies."""

    number: int  # its number in `lrt minutes redactions` (lifted ones keep theirs)
    ref: str  # "person:KEY", "passage:N", "name:N" (N: the added redaction's number) or
    # "phone:DIGITS" (a phone number, by its national digits)
    kind: TargetKind
    person: str | None = None
    passage: str | None = None
    name: str | None = None
    phone: str | None = None  # a phone number's national digits
    ground: WooGround
    origin: Origin
    reason: str
    decided: Decision | None = None  # None: the default rule
    lifted: Decision | None = None
    added_number: int | None = None
    locations: tuple[str, ...] = ()
    occurrences: int = 0

    @property
    def in_force(self) -> bool:
        return self.lifted is None


def named_persons(minutes: Minutes, meeting: Meeting, table: Table,
                  persons: Mapping[str, object]) -> dict[str, list[str]]:
    """Person key -> where they are named (the attendance, the text), in order of first
    appearance."""
    exclude = organisation_codes(table)
    where: dict[str, list[str]] = {}
    for a in meeting.attendance:
        where.setdefault(a.person, []).append("aanwezigheid")
        if a.substitute_for:
            where.setdefault(a.substitute_for, []).append("aanwezigheid (vervangen)")
    for location, text in minutes_texts(minutes, meeting):
        for match in find_names(text, persons, exclude=exclude):
            for key in match.persons:
                where.setdefault(key, []).append(location)
    return where


def redactions(minutes: Minutes, meeting: Meeting, table: Table,
               persons: Mapping[str, object], publication: Publication | None
               ) -> list[RedactionEntry]:
    """Every redaction of these minutes: the defaults (civil servants named in the
    attendance or the text), then those added, each with whether it was lifted and where
    it occurs. Pure: give it states as of any moment."""
    day = local_date(meeting.starts_at)
    where = named_persons(minutes, meeting, table, persons)
    texts = minutes_texts(minutes, meeting)
    lifted = {d.person: d.decided for d in publication.lifted_defaults
              if d.person is not None} if publication else {}
    lifted_phones = {d.phone: d.decided for d in publication.lifted_defaults
                     if d.phone is not None} if publication else {}
    entries: list[RedactionEntry] = []
    for key, locations in where.items():
        person = persons.get(key)
        if is_office_holder(key, person, table, day):
            continue
        membership = membership_for(table, key, day)
        why = (f"ambtenaar: {membership.function} ({membership.organisation})"
               if membership else "geen ambtsdrager: geen lid van de tafel, geen "
                                  "ambtstitel")
        entries.append(RedactionEntry(
            number=len(entries) + 1, ref=f"person:{key}", kind=TargetKind.PERSON,
            person=key, ground=WooGround.PRIVACY, origin=Origin.DEFAULT, reason=why,
            lifted=lifted.get(key), locations=tuple(dict.fromkeys(locations)),
            occurrences=len(locations)))
    phones: dict[str, list[str]] = {}
    for location, text in texts:
        for _, _, digits in find_phones(text):
            phones.setdefault(digits, []).append(location)
    for digits, locations in phones.items():
        entries.append(RedactionEntry(
            number=len(entries) + 1, ref=f"phone:{digits}", kind=TargetKind.PHONE,
            phone=digits, ground=WooGround.PRIVACY, origin=Origin.DEFAULT,
            reason="telefoonnummer", lifted=lifted_phones.get(digits),
            locations=tuple(dict.fromkeys(locations)), occurrences=len(locations)))
    exclude = organisation_codes(table)
    for a in publication.added if publication else ():
        if a.person is not None:
            locations = where.get(a.person, [])
            kind, ref = TargetKind.PERSON, f"person:{a.person}"
        elif a.name is not None:
            locations = name_locations(a.name, texts, exclude)
            kind, ref = TargetKind.NAME, name_key(a.number)
        else:
            assert a.passage is not None
            locations = [loc for loc, text in texts for _ in range(text.count(a.passage))]
            kind, ref = TargetKind.PASSAGE, f"passage:{a.number}"
        entries.append(RedactionEntry(
            number=len(entries) + 1, ref=ref, kind=kind, person=a.person,
            passage=a.passage, name=a.name, ground=a.ground, origin=Origin.ADDED,
            reason=a.decided.reason, decided=a.decided, lifted=a.lifted,
            added_number=a.number, locations=tuple(dict.fromkeys(locations)),
            occurrences=len(locations)))
    return entries


def name_locations(name: str, texts: Iterable[tuple[str, str]], exclude: Iterable[str] = ()
                   ) -> list[str]:
    """Where a name without a person in the directory occurs in the texts, in every form
    `find_names` knows (one location per occurrence)."""
    who = {"name": NamedOnly(name=name)}
    return [location for location, text in texts
            for _ in find_names(text, who, exclude=exclude)]


def in_force(entries: Iterable[RedactionEntry]) -> list[RedactionEntry]:
    return [e for e in entries if e.in_force]


def inventory(entries: Sequence[RedactionEntry], published: Decision | None
              ) -> list[InventoryEntry]:
    """The public inventory: the redactions in force, numbered anew, persons by number.
    Defaults are decided by the publication (`published`: who publishes, and when);
    without one, by the rule alone (no decider, no time)."""
    out: list[InventoryEntry] = []
    person_numbers: dict[str, int] = {}
    for e in in_force(entries):
        decided = e.decided or published
        who = e.person if e.person is not None else e.ref if e.name is not None else None
        if who is not None:  # a name not in the directory is a person's name too
            person_numbers.setdefault(who, len(person_numbers) + 1)
        out.append(InventoryEntry(
            number=len(out) + 1, kind=e.kind,
            person_number=person_numbers[who] if who is not None else None,
            default=e.origin is Origin.DEFAULT, ground=e.ground,
            decided_by_role=decided.role if decided else None,
            decided_by_organisation=decided.organisation if decided else None,
            decided_at=decided.at if decided else None, occurrences=e.occurrences,
            ref=e.ref))
    return out


class Redactor:
    """Replaces the text of the redactions in force by their markers."""

    def __init__(self, entries: Iterable[RedactionEntry], persons: Mapping[str, object],
                 exclude: Iterable[str] = ()):
        active = in_force(entries)
        self.person_grounds: dict[str, list[WooGround]] = {}
        names: dict[str, object] = {}
        for e in active:
            if e.person is not None:
                self.person_grounds.setdefault(e.person, []).append(e.ground)
            elif e.name is not None:  # matched as a person's name is, under its own key
                names[e.ref] = NamedOnly(name=e.name)
                self.person_grounds.setdefault(e.ref, []).append(e.ground)
        self.passages = [(e.passage, e.ground) for e in active if e.passage]
        self.phones = {e.phone: e.ground for e in active if e.phone is not None}
        self.persons: Mapping[str, object] = {**persons, **names} if names else persons
        self.exclude = set(exclude)

    def redacts(self, person: str) -> bool:
        return person in self.person_grounds

    def person_marker(self, person: str) -> str:
        return marker(self.person_grounds[person])

    def spans(self, text: str) -> list[tuple[int, int, list[WooGround]]]:
        raw: list[tuple[int, int, list[WooGround]]] = []
        for passage, ground in self.passages:
            start = text.find(passage)
            while start >= 0:
                raw.append((start, start + len(passage), [ground]))
                start = text.find(passage, start + 1)
        if self.phones:
            raw += [(start, end, [self.phones[digits]])
                    for start, end, digits in find_phones(text) if digits in self.phones]
        for match in find_names(text, self.persons, exclude=self.exclude, given_alone=True):
            grounds = [g for p in match.persons for g in self.person_grounds.get(p, [])]
            if grounds:
                raw.append((match.start, match.end, grounds))
        raw.sort(key=lambda s: (s[0], -s[1]))
        merged: list[tuple[int, int, list[WooGround]]] = []
        for start, end, grounds in raw:
            if merged and start < merged[-1][1]:
                s, e, g = merged[-1]
                merged[-1] = (s, max(e, end), g + grounds)
            else:
                merged.append((start, end, list(grounds)))
        return merged

    def apply(self, text: str) -> str:
        out, position = [], 0
        for start, end, grounds in self.spans(text):
            out += [text[position:start], marker(grounds)]
            position = end
        out.append(text[position:])
        return "".join(out)


# --- the aggregate ------------------------------------------------------------------------


class Publication(Aggregate):
    """The Woo decisions on one meeting's minutes (key: the meeting's key)."""

    KIND: ClassVar[str] = "publication"
    table: str
    meeting: str
    added: tuple[AddedRedaction, ...] = ()
    lifted_defaults: tuple[LiftedDefault, ...] = ()
    publications: tuple[PublicationRecord, ...] = ()
    dismissed: tuple[DismissedName, ...] = ()  # suggested names left in clear

    # --- events -------------------------------------------------------------------

    class Opened(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Publication.Opened"
        key: str
        table: str
        meeting: str

        def apply(self, state: None) -> Publication:
            return Publication.born(self, key=self.key, table=self.table,
                                    meeting=self.meeting)

    class RedactionAdded(DomainEvent):
        """Of a person (`person`), a literal passage (`passage`) or a name the directory
        does not hold (`name`: a suggestion confirmed)."""

        TOPIC: ClassVar[str] = "lrt.Publication.RedactionAdded"
        number: int
        person: str | None = None
        passage: str | None = None
        name: str | None = None
        ground: WooGround
        reason: str

        def apply(self, state: Publication) -> Publication:
            return state.with_(added=(*state.added, AddedRedaction(
                number=self.number, person=self.person, passage=self.passage,
                name=self.name, ground=self.ground, decided=_decision(self))))

    class SuggestionDismissed(DomainEvent):
        """A suggested name left in clear: not suggested again."""

        TOPIC: ClassVar[str] = "lrt.Publication.SuggestionDismissed"
        name: str
        reason: str

        def apply(self, state: Publication) -> Publication:
            return state.with_(dismissed=(*state.dismissed, DismissedName(
                name=self.name, decided=_decision(self))))

    class RedactionLifted(DomainEvent):
        """Of an added redaction (`number`) or of a default one (`person`, or `phone`: a
        phone number's national digits)."""

        TOPIC: ClassVar[str] = "lrt.Publication.RedactionLifted"
        number: int | None = None
        person: str | None = None
        phone: str | None = None
        reason: str

        def apply(self, state: Publication) -> Publication:
            if self.number is not None:
                return state.with_(added=tuple(
                    a.model_copy(update={"lifted": _decision(self)})
                    if a.number == self.number else a for a in state.added))
            assert self.person is not None or self.phone is not None
            return state.with_(lifted_defaults=(*state.lifted_defaults, LiftedDefault(
                person=self.person, phone=self.phone, decided=_decision(self))))

    class Published(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Publication.Published"
        number: int
        text_version: int
        text_digest: str
        approved_version: int
        approved_digest: str | None = None
        public_digest: str
        html_digest: str
        inventory: tuple[InventoryEntry, ...]

        def apply(self, state: Publication) -> Publication:
            return state.with_(publications=(*state.publications, PublicationRecord(
                number=self.number, published=_decision(self, "openbaarmaking (Woo)"),
                text_version=self.text_version, text_digest=self.text_digest,
                approved_version=self.approved_version,
                approved_digest=self.approved_digest, public_digest=self.public_digest,
                html_digest=self.html_digest, inventory=self.inventory)))

    # --- commands -----------------------------------------------------------------

    @classmethod
    def open(cls, ctx: Context, minutes: Minutes) -> Opened:
        return cls.start(cls.Opened, ctx, minutes.meeting, table=minutes.table,
                         meeting=minutes.meeting, on_behalf_of=ctx.actor.organisation)

    def add_redaction(self, ctx: Context, minutes: Minutes, meeting: Meeting, table: Table,
                      persons: Mapping[str, object], *, person: str | None,
                      passage: str | None, ground: WooGround | str, reason: str,
                      name: str | None = None) -> RedactionAdded:
        """Redact a person (by key), a literal passage, or a name the directory does not
        hold (in all its forms, as a person's name is found) on `ground`."""
        if sum(x is not None for x in (person, passage, name)) != 1:
            raise InvalidInput("redaction: give one of a person, a passage or a name")
        ground = checks.choice("ground", WooGround, ground)
        reason = checks.line("reason", reason, max_length=2000)
        entries = redactions(minutes, meeting, table, persons, self)
        active = in_force(entries)
        if name is not None:
            name = self._suggested_name(minutes, meeting, table, persons, name)
            if any(e.name is not None and same_name(e.name, name) for e in active):
                raise RuleViolation(f"name: {name!r} is already redacted in minutes "
                                    f"{self.key}")
        elif person is not None:
            if person not in persons:
                raise NotFound(f"person: no person {person!r}")
            if any(e.person == person for e in active):
                raise RuleViolation(f"{person} is already redacted in minutes {self.key}")
            if person not in named_persons(minutes, meeting, table, persons):
                raise RuleViolation(f"{person} is not named in minutes {self.key}")
        else:
            passage = checks.text("passage", passage, max_length=5000)
            if not any(passage in text for _, text in minutes_texts(minutes, meeting)):
                raise RuleViolation(f"passage: does not occur in minutes {self.key}")
            if any(e.passage == passage for e in active):
                raise RuleViolation(f"passage: already redacted in minutes {self.key}")
        return self.trigger(self.RedactionAdded, ctx, number=len(self.added) + 1,
                            person=person, passage=passage, name=name, ground=ground,
                            reason=reason, on_behalf_of=ctx.actor.organisation)

    def dismiss(self, ctx: Context, minutes: Minutes, meeting: Meeting, table: Table,
                persons: Mapping[str, object], name: str, reason: str
                ) -> SuggestionDismissed:
        """Leave a suggested name in clear (`lrt minutes redactions --suggest` proposes it
        no more)."""
        name = self._suggested_name(minutes, meeting, table, persons, name)
        reason = checks.line("reason", reason, max_length=2000)
        if self.is_dismissed(name):
            raise RuleViolation(f"name: {name!r} was already dismissed in minutes {self.key}")
        return self.trigger(self.SuggestionDismissed, ctx, name=name, reason=reason,
                            on_behalf_of=ctx.actor.organisation)

    def is_dismissed(self, name: str) -> bool:
        return any(same_name(d.name, name) for d in self.dismissed)

    def _suggested_name(self, minutes: Minutes, meeting: Meeting, table: Table,
                        persons: Mapping[str, object], name: str) -> str:
        """A name as a suggestion gives it: a name that occurs in the minutes and is not a
        person of the directory (those are redacted as persons, `--person`)."""
        name = " ".join(checks.line("name", name, max_length=200).split())
        if not any(c.isalpha() for c in name):
            raise InvalidInput(f"name: {name!r} is not a name")
        texts = minutes_texts(minutes, meeting)
        if not name_locations(name, texts, organisation_codes(table)):
            raise RuleViolation(f"name: {name!r} does not occur in minutes {self.key}")
        known = [k for k, p in persons.items() if same_name(str(getattr(p, "name")), name)]
        if known:
            raise RuleViolation(f"name: {name!r} is person {known[0]} of the directory; "
                                "redact it with --person")
        return name

    def lift(self, ctx: Context, minutes: Minutes, meeting: Meeting, table: Table,
             persons: Mapping[str, object], number: int, reason: str) -> RedactionLifted:
        """Lift redaction `number` (of `lrt minutes redactions`), a default one too."""
        entries = redactions(minutes, meeting, table, persons, self)
        entry = next((e for e in entries if e.number == number), None)
        if entry is None:
            raise NotFound(f"redaction: minutes {self.key} have no redaction {number}")
        if not entry.in_force:
            raise RuleViolation(f"redaction {number} of minutes {self.key} was already "
                                "lifted")
        reason = checks.line("reason", reason, max_length=2000)
        if entry.origin is Origin.ADDED:
            return self.trigger(self.RedactionLifted, ctx, number=entry.added_number,
                                reason=reason, on_behalf_of=ctx.actor.organisation)
        if entry.kind is TargetKind.PHONE:
            return self.trigger(self.RedactionLifted, ctx, phone=entry.phone, reason=reason,
                                on_behalf_of=ctx.actor.organisation)
        return self.trigger(self.RedactionLifted, ctx, person=entry.person, reason=reason,
                            on_behalf_of=ctx.actor.organisation)

    def publish(self, ctx: Context, minutes: Minutes, meeting: Meeting, table: Table,
                persons: Mapping[str, object], *, public_digest: str, html_digest: str
                ) -> Published:
        """Record a publication of the approved minutes, with the digests of the public
        text rendered from these same states (`lrt_app.woo.render_public`)."""
        if minutes.status is not MinutesStatus.APPROVED or minutes.approval is None:
            raise RuleViolation(f"minutes {minutes.key} are {minutes.status}; only approved "
                                "minutes are published")
        entries = redactions(minutes, meeting, table, persons, self)
        for e in in_force(entries):
            if e.kind is TargetKind.PASSAGE and not e.occurrences:
                raise RuleViolation(
                    f"redaction {e.number} of minutes {self.key}: its passage no longer "
                    "occurs in the text (corrected since?); lift it first")
        listed = inventory(entries, self.decision(ctx))
        last = self.publications[-1] if self.publications else None
        if last is not None and last.public_digest == public_digest and _same(
                last.inventory, listed):
            raise Unchanged(f"minutes {self.key} were already published as they are "
                                f"(publication {last.number}); nothing changed since")
        return self.trigger(
            self.Published, ctx, number=len(self.publications) + 1,
            text_version=minutes.text_version, text_digest=text_digest(minutes.items),
            approved_version=minutes.approval.text_version,
            approved_digest=minutes.approval.text_digest, public_digest=public_digest,
            html_digest=html_digest, inventory=tuple(listed),
            on_behalf_of=ctx.actor.organisation)

    # --- questions ----------------------------------------------------------------

    @staticmethod
    def decision(ctx: Context, reason: str = "openbaarmaking (Woo)") -> Decision:
        """The decision a command of `ctx` records."""
        return Decision(user=ctx.actor.user, role=ctx.actor.role,
                        organisation=ctx.actor.organisation, at=ctx.now, reason=reason)


def _decision(event: DomainEvent, reason: str | None = None) -> Decision:
    return Decision(user=event.actor, role=event.role, organisation=event.on_behalf_of,
                    at=event.timestamp, reason=reason or getattr(event, "reason"))


def _same(old: Sequence[InventoryEntry], new: Sequence[InventoryEntry]) -> bool:
    """The same redactions (the publication's own decision time aside)."""
    def key(e: InventoryEntry) -> tuple[object, ...]:
        return (e.ref, e.ground, e.default, e.occurrences, None if e.default else e.decided_at)

    return [key(e) for e in old] == [key(e) for e in new]
