"""The one place where the application's refusals (English, one line, for the command line)
become the portal's Dutch messages, each tied to the form field it is about.

A refusal is matched by its class and its message's pattern; a refusal no pattern knows
gets its class's general Dutch sentence (never the English text). `tests/web/
test_messages.py` triggers every refusal the portal's forms can meet and holds each to a
pattern of its own here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lrt_domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, \
    RuleViolation

from .dutch import in_words

# The fields of the portal's forms, by the English field name a message starts with.
FIELDS = {"text": "tekst", "note": "tekst", "reason": "reden", "received at": "ontvangen",
          "for": "persoon", "on behalf of": "organisatie", "point": "punt", "item": "punt",
          "amendment": "nummer"}


@dataclass(frozen=True)
class Refusal:
    field: str  # the form field the message is tied to (aria-describedby)
    text: str  # Dutch, one sentence or two
    known: bool = True  # False: the class's general sentence (no pattern matched)


def _local_words(text: str) -> str:
    from datetime import datetime

    from lrt_domain.dutch_time import AMSTERDAM

    return in_words(datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM))


STATUS_NL = {"accepted": "aanvaard", "rejected": "verworpen", "done": "afgerond",
             "cancelled": "geannuleerd", "carried over": "doorgeschoven"}

Rule = tuple[type[DomainError], str, str, Callable[[re.Match[str]], str]]

PATTERNS: list[Rule] = [
    # comment rounds
    (RuleViolation, r"the comment round on (?P<s>.+) closed at "
     r"(?P<t>\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?); comments are no longer accepted", "tekst",
     lambda m: f"De reactieronde is gesloten op {_local_words(m['t'])}. Reacties worden niet "
               "meer aangenomen; uw reactie is niet opgeslagen."),
    (RuleViolation, r"no comment round was opened on ", "tekst",
     lambda m: "Er is geen reactieronde geopend; u kunt (nog) niet reageren."),
    (Forbidden, r"(?P<p>\S+) is not a member of (?P<t>\S+) nor a guest of (?P<m>\S+) on "
     r"(?P<d>\S+)", "tekst",
     lambda m: f"{m['p']} was op {in_words(m['d'])} geen lid van {m['t']} en geen gast van "
               "deze vergadering; de reactie is niet opgeslagen."),
    (Forbidden, r"user \S+ \(\w+\) may not comment at table (?P<t>\S+)", "tekst",
     lambda m: f"U kunt niet reageren aan tafel {m['t']}."),
    (Forbidden, r"user \S+ \(\w+\) may not comment for (?P<p>\S+)", "tekst",
     lambda m: "U kunt alleen uw eigen reactie geven."),
    (Forbidden, r"for: the secretariat records a comment for a person", "persoon",
     lambda m: "Kies van wie de reactie is."),
    (InvalidInput, r"received at: (?P<t>.+) is in the future", "ontvangen",
     lambda m: "Het tijdstip van ontvangst ligt in de toekomst."),
    (InvalidInput, r"received at: (?P<t>.+) is before the comment round on (?P<s>.+) opened",
     "ontvangen",
     lambda m: f"Het tijdstip van ontvangst ({_local_words(m['t'])}) ligt vóór de opening "
               "van de reactieronde."),
    # amendments
    (Forbidden, r"user \S+ \(\w+\) may not propose amendments on behalf of (?P<o>\S+)",
     "organisatie",
     lambda m: f"U kunt geen wijziging voorstellen namens {m['o']}, alleen namens uw eigen "
               "organisatie."),
    (Forbidden, r"user \S+ \(\w+\) may not propose amendments at table (?P<t>\S+)", "tekst",
     lambda m: f"U bent geen lid van {m['t']} en kunt geen wijziging voorstellen."),
    (Forbidden, r"on behalf of: the secretariat records an amendment for an organisation",
     "organisatie", lambda m: "Kies namens welke organisatie het voorstel wordt vastgelegd."),
    (RuleViolation, r"minutes \S+ were not circulated yet", "tekst",
     lambda m: "Het conceptverslag is nog niet rondgestuurd; wijzigingsvoorstellen kunnen "
               "nog niet."),
    (RuleViolation, r"minutes \S+ are approved and final", "tekst",
     lambda m: "Het verslag is vastgesteld en kan niet meer worden gewijzigd."),
    (NotFound, r"point: item (?P<i>\d+) of \S+ has no point (?P<k>\d+)", "punt",
     lambda m: f"Agendapunt {m['i']} heeft geen punt {m['k']}."),
    (NotFound, r"item: minutes \S+ have no item (?P<i>\d+)", "punt",
     lambda m: f"Het verslag heeft geen agendapunt {m['i']}."),
    (NotFound, r"amendment: minutes \S+ have no amendment (?P<n>\d+)", "nummer",
     lambda m: f"Er is geen wijzigingsvoorstel {m['n']}."),
    (RuleViolation, r"amendment (?P<n>\d+) of \S+ was already (?P<s>[\w ]+)", "nummer",
     lambda m: f"Wijzigingsvoorstel {m['n']} is al {STATUS_NL.get(m['s'], m['s'])}."),
    (Forbidden, r"user \S+ \(\w+\) may not decide on amendments", "nummer",
     lambda m: "Alleen het secretariaat en de voorzitter van de tafel beslissen over "
               "wijzigingsvoorstellen."),
    # actions
    (Forbidden, r"user \S+ \(\w+\) may not report progress on action (?P<a>\S+) "
     r"\(owned by (?P<o>[^)]+)\)", "tekst",
     lambda m: f"Alleen de eigenaren van deze actie ({m['o']}) melden voortgang."),
    (RuleViolation, r"cannot report progress on action (?P<a>\S+): it is (?P<s>[\w ]+)",
     "tekst",
     lambda m: f"Deze actie is {STATUS_NL.get(m['s'], m['s'])}; voortgang melden kan niet "
               "meer."),
    # the directory
    (NotFound, r"person: no person '(?P<p>.+)'", "persoon",
     lambda m: "Deze persoon is niet bekend."),
    (NotFound, r"organisation: no organisation '(?P<o>.+)'", "organisatie",
     lambda m: f"De organisatie {m['o']} is niet bekend."),
    (Forbidden, r"user (?P<u>\S+) was deactivated", "tekst",
     lambda m: "Uw account is gedeactiveerd."),
    # many at once on the same thing: lrt decided again 10 times, then gave up
    (Conflict, r"someone else changed the same thing at the same time", "tekst",
     lambda m: "Veel anderen legden tegelijk iets vast op dit stuk; uw bijdrage is niet "
               "opgeslagen. Verstuur het formulier opnieuw."),
    # any field's value
    (InvalidInput, r"(?P<f>[a-z ]+): must not be empty", "",
     lambda m: "Vul dit veld in."),
    (InvalidInput, r"(?P<f>[a-z ]+): longer than (?P<n>\d+) characters", "",
     lambda m: f"Dit veld mag ten hoogste {m['n']} tekens bevatten."),
    (InvalidInput, r"(?P<f>[a-z ]+): .* \(U\+[0-9A-F]{4,6} at character (?P<n>\d+)", "",
     lambda m: f"Dit veld bevat een teken dat niet is toegestaan (teken {m['n']})."),
    (InvalidInput, r"(?P<f>[a-z ]+): must be a single line", "",
     lambda m: "Dit veld moet op één regel passen."),
]

GENERAL = {
    NotFound: "Dit is niet gevonden.",
    Forbidden: "U mag dit niet doen.",
    InvalidInput: "Een ingevulde waarde is niet geldig.",
    RuleViolation: "Dit kan nu niet volgens de regels van de tafel.",
    Conflict: "Iemand anders wijzigde dit tegelijk met u; probeer het opnieuw.",
    DomainError: "Dit is geweigerd.",
}

_COMPILED = [(cls, re.compile(pattern), field, say) for cls, pattern, field, say in PATTERNS]


def dutch(error: DomainError, default_field: str = "tekst") -> Refusal:
    """The Dutch message for a refusal, and the field it belongs to."""
    message = str(error)
    for cls, pattern, field, say in _COMPILED:
        if isinstance(error, cls):
            m = pattern.match(message)
            if m:
                named = m.groupdict().get("f")
                return Refusal(field or FIELDS.get(named or "", default_field), say(m))
    for cls in type(error).__mro__:
        if cls in GENERAL:
            return Refusal(default_field, GENERAL[cls], known=False)
    return Refusal(default_field, GENERAL[DomainError], known=False)
