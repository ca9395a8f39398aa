"""Names in the minutes that the directory does not hold, suggested for redaction
(`lrt minutes redactions MEETING --suggest`, issue 15 point 5).

The names are found by `deduce` (Dutch de-identification, offline, rule and lookup-list
based: first names, surnames, initials, prefixes and interfixes in context). Its person
annotations are suggestions only: the secretariat confirms one (`lrt minutes redact
MEETING --name NAME`, a `Publication.RedactionAdded` with the name) or dismisses it (`lrt
minutes dismiss MEETING NAME`, a `Publication.SuggestionDismissed`); both are events with
who, in which role and when. Nothing is recorded by asking.

Left out of the suggestions: a name where a person of the directory is found (they are
redacted, or not, as persons), a name already redacted or dismissed (in any spelling that
folds alike), text inside a redaction in force, and the organisations' codes.

`deduce` is imported here only, when the first suggestion is asked for, never at the
command line's start: it loads numpy and rapidfuzz and, on its first use after an install,
builds its lookup structures (1-2 minutes; then cached beside the package).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrt_domain.publication import (Redactor, find_names, minutes_texts, organisation_codes,
                                    same_name)

if TYPE_CHECKING:
    from .woo import WooStates

# the processor groups of deduce's configuration that are run: those that find names, and
# those that merge and resolve what they found; the others (dates, places, institutions,
# phone numbers, ...) are not
RUN = ("names", "post_processing")
PERSON_TAGS = ("persoon", "patient")
SALUTATIONS = ("dhr", "mw", "mevr", "mevrouw", "de heer", "meneer", "dr", "drs", "ir",
               "ing", "prof", "mr")

_deduce: list[Any] = []


def deduce_version() -> str:
    import importlib.metadata

    return importlib.metadata.version("deduce")


def _model() -> Any:
    """One `deduce.Deduce` per process (building it reads its lookup lists)."""
    if not _deduce:
        from deduce import Deduce

        _deduce.append(Deduce())
    return _deduce[0]


@dataclass
class Suggestion:
    """A name found in the minutes, not in the directory, not decided on yet."""

    name: str
    locations: list[str] = field(default_factory=list)  # one per occurrence

    @property
    def occurrences(self) -> int:
        return len(self.locations)


def person_spans(text: str) -> list[tuple[int, int]]:
    """Where `deduce` finds a person's name in `text`."""
    model = _model()
    disabled = {n for n in model.processors.get_names(recursive=False)
                if n not in RUN}
    document = model.deidentify(text, disabled=disabled)
    return sorted((a.start_char, a.end_char) for a in document.annotations
                  if a.tag.split("+")[0] in PERSON_TAGS or a.tag.startswith(PERSON_TAGS))


def clean(name: str) -> str:
    """A name as found, without a salutation before it or punctuation around it."""
    words = name.strip(" \t\n,;:()[]\"'").split()
    while words and words[0].casefold().rstrip(".") in SALUTATIONS:
        words = words[1:]
    if len(words) >= 2 and " ".join(words[:2]).casefold() == "de heer":
        words = words[2:]
    return " ".join(words)


def suggest(states: WooStates) -> list[Suggestion]:
    """The names in the published texts of the minutes that deserve a look: found by
    deduce, not a person of the directory, not redacted, not dismissed. In order of first
    appearance."""
    entries = states.redactions()
    codes = organisation_codes(states.table)
    redactor = Redactor(entries, states.persons, exclude=codes)
    decided = [e.name for e in entries if e.name is not None and e.in_force]
    dismissed = states.publication.dismissed if states.publication else ()
    decided += [d.name for d in dismissed]
    found: list[Suggestion] = []
    for location, text in minutes_texts(states.minutes, states.meeting):
        known = [(m.start, m.end) for m in find_names(text, states.persons, exclude=codes,
                                                      given_alone=True)]
        hidden = [(s, e) for s, e, _ in redactor.spans(text)]
        for start, end in person_spans(text):
            if any(s < end and start < e for s, e in known + hidden):
                continue
            name = clean(text[start:end])
            if (not name or not any(c.isupper() for c in name)
                    or name.casefold() in {c.casefold() for c in codes}
                    or any(same_name(name, d) for d in decided)):
                continue
            same = next((s for s in found if same_name(s.name, name)), None)
            if same is None:
                found.append(same := Suggestion(name=name))
            same.locations.append(location)
    return found
