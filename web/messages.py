"""The one place where the application's refusals become the portal's Dutch messages, each
tied to the form field it is about.

A refusal is recognised by its stable code and said with its details (values: a deadline,
a key, a field's name), both given where it is raised (`lrt_domain.errors.DomainError`);
its English message, the command line's, is never read here. A refusal without a code
known here gets its class's general Dutch sentence (never the English text).
`tests/portal/test_messages.py` triggers every refusal the portal's forms can meet, holds
each to a sentence of its own here, and to the very sentence the page shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lrt_domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, \
    RuleViolation

from .dutch import in_words

# The fields of the portal's forms, by the domain's name of the field a refusal is about.
FIELDS = {"text": "tekst", "note": "tekst", "reason": "reden", "received at": "ontvangen",
          "for": "persoon", "on behalf of": "organisatie", "point": "punt", "item": "punt",
          "amendment": "nummer", "person": "persoon", "organisation": "organisatie"}


@dataclass(frozen=True)
class Refusal:
    field: str  # the form field the message is tied to (aria-describedby)
    text: str  # Dutch, one sentence or two
    known: bool = True  # False: the class's general sentence (no code matched)


STATUS_NL = {"accepted": "aanvaard", "rejected": "verworpen", "done": "afgerond",
             "cancelled": "geannuleerd", "carried over": "doorgeschoven"}


def _status(value: Any) -> str:
    text = str(getattr(value, "value", value))
    return STATUS_NL.get(text, text)


Details = Mapping[str, Any]
# What a refusal's details say in Dutch; None: nothing of its own (the general sentence).
Say = Callable[[Details], "str | None"]

# By code: the form field ("": the field the refusal names, `FIELDS`) and the sentence.
CODES: dict[str, tuple[str, Say]] = {
    # comment rounds
    "round_closed": ("tekst", lambda d: f"De reactieronde is gesloten op "
                     f"{in_words(d['deadline'])}. Reacties worden niet meer aangenomen; uw "
                     "reactie is niet opgeslagen."),
    "no_round": ("tekst", lambda d: "Er is geen reactieronde geopend; u kunt (nog) niet "
                 "reageren."),
    "not_member_nor_guest": ("tekst", lambda d: f"{d['person']} was op {in_words(d['day'])} "
                             f"geen lid van {d['table']} en geen gast van deze vergadering; "
                             "de reactie is niet opgeslagen."),
    "may_not_comment": ("tekst", lambda d: f"U kunt niet reageren aan tafel {d['table']}."),
    "may_not_comment_for": ("tekst", lambda d: "U kunt alleen uw eigen reactie geven."),
    "for_missing": ("persoon", lambda d: "Kies van wie de reactie is."),
    "in_future": ("", lambda d: "Het tijdstip van ontvangst ligt in de toekomst."
                  if d.get("field") == "received at" else None),
    "received_before_round": ("ontvangen", lambda d: "Het tijdstip van ontvangst "
                              f"({in_words(d['received_at'])}) ligt vóór de opening van de "
                              "reactieronde."),
    # amendments
    "may_not_amend_for": ("organisatie", lambda d: "U kunt geen wijziging voorstellen namens "
                          f"{d['organisation']}, alleen namens uw eigen organisatie."),
    "may_not_amend": ("tekst", lambda d: f"U bent geen lid van {d['table']} en kunt geen "
                      "wijziging voorstellen."),
    "on_behalf_of_missing": ("organisatie", lambda d: "Kies namens welke organisatie het "
                             "voorstel wordt vastgelegd."),
    "not_circulated": ("tekst", lambda d: "Het conceptverslag is nog niet rondgestuurd; "
                       "wijzigingsvoorstellen kunnen nog niet."),
    "minutes_final": ("tekst", lambda d: "Het verslag is vastgesteld en kan niet meer worden "
                      "gewijzigd."),
    "no_point": ("punt", lambda d: f"Agendapunt {d['item']} heeft geen punt {d['point']}."),
    "no_item": ("punt", lambda d: f"Het verslag heeft geen agendapunt {d['item']}."),
    "no_amendment": ("nummer", lambda d: f"Er is geen wijzigingsvoorstel {d['number']}."),
    "amendment_decided": ("nummer", lambda d: f"Wijzigingsvoorstel {d['number']} is al "
                          f"{_status(d['status'])}."),
    "not_manager": ("nummer", lambda d: "Alleen het secretariaat en de voorzitter van de "
                    "tafel beslissen over wijzigingsvoorstellen."
                    if d.get("what") == "decide on amendments" else None),
    # actions
    "not_owner": ("tekst", lambda d: "Alleen de eigenaren van deze actie "
                  f"({', '.join(d['owners'])}) melden voortgang."),
    "action_closed": ("tekst", lambda d: f"Deze actie is {_status(d['status'])}; voortgang "
                      "melden kan niet meer." if d.get("verb") == "report progress on"
                      else None),
    # the directory
    "not_found": ("", lambda d: "Deze persoon is niet bekend." if d.get("field") == "person"
                  else f"De organisatie {d['key']} is niet bekend."
                  if d.get("field") == "organisation" else None),
    "deactivated": ("tekst", lambda d: "Uw account is gedeactiveerd."),
    # many at once on the same thing: lrt decided again 10 times, then gave up
    "gave_up": ("tekst", lambda d: "Veel anderen legden tegelijk iets vast op dit stuk; uw "
                "bijdrage is niet opgeslagen. Verstuur het formulier opnieuw."),
    # any field's value
    "empty": ("", lambda d: "Vul dit veld in."),
    "too_long": ("", lambda d: f"Dit veld mag ten hoogste {d['max_length']} tekens "
                 "bevatten."),
    "bad_character": ("", lambda d: "Dit veld bevat een teken dat niet is toegestaan "
                      f"(teken {d['position']})."),
    "not_one_line": ("", lambda d: "Dit veld moet op één regel passen."),
}

GENERAL = {
    NotFound: "Dit is niet gevonden.",
    Forbidden: "U mag dit niet doen.",
    InvalidInput: "Een ingevulde waarde is niet geldig.",
    RuleViolation: "Dit kan nu niet volgens de regels van de tafel.",
    Conflict: "Iemand anders wijzigde dit tegelijk met u; probeer het opnieuw.",
    DomainError: "Dit is geweigerd.",
}


def field_of(error: DomainError) -> str | None:
    """The domain's name of the field a refusal is about ("person", "point"), if any."""
    field = getattr(error, "details", {}).get("field")
    return field if isinstance(field, str) else None


def dutch(error: DomainError, default_field: str = "tekst") -> Refusal:
    """The Dutch message for a refusal, and the field it belongs to."""
    code = getattr(error, "code", None)
    if code in CODES:
        field, say = CODES[code]
        text = say(error.details)
        if text is not None:
            return Refusal(field or FIELDS.get(field_of(error) or "", default_field), text)
    for cls in type(error).__mro__:
        if cls in GENERAL:
            return Refusal(default_field, GENERAL[cls], known=False)
    return Refusal(default_field, GENERAL[DomainError], known=False)
