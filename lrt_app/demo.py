"""The demonstration: the LRT cycle of 10 November 2023 (seed 004), on a simulated clock.

The members of that day, the meeting with its agenda and attendance, the comment round on
the four draft letters closing at 12:00 that day, the draft minutes with the points of the
seed, VNG's amendment, approval at the following meeting, and the actions with their owners.
The store records that its clock was simulated.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from lrt_domain.base import Role
from lrt_domain.dutch_time import AMSTERDAM
from lrt_domain.errors import DomainError
from lrt_domain.meetings import Presence
from lrt_domain.tables import TableKind

from .application import Lrt
from .clock import SettableClock
from .minutes_text import parse

SEC = "secretariaat"  # the JenV secretariat's login

ORGANISATIONS = {
    "BZK": "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
    "SZW": "Ministerie van Sociale Zaken en Werkgelegenheid",
    "VNG": "Vereniging van Nederlandse Gemeenten",
    "IPO": "Interprovinciaal Overleg",
    "CdK": "Kring van Commissarissen van de Koning",
    "COA": "Centraal Orgaan opvang asielzoekers",
    "Aedes": "Aedes, vereniging van woningcorporaties",
    "VB": "Veiligheidsberaad",
}

# TOOI identifiers of the ministries (the DiWoo 0.9.8 list ministerielijst,
# rwc_ministeries_compleet version 4)
TOOI = {"JenV": "https://identifier.overheid.nl/tooi/id/ministerie/mnre1058",
        "BZK": "https://identifier.overheid.nl/tooi/id/ministerie/mnre1034",
        "SZW": "https://identifier.overheid.nl/tooi/id/ministerie/mnre1073"}

# person id, name, title, organisation, function, office holder
MEMBERS = [
    ("van-der-maat", "Christophe van der Maat", "Dhr.", "JenV",
     "Staatssecretaris van Justitie en Veiligheid (voorzitter)", True),
    ("de-jonge", "Hugo de Jonge", "Dhr.", "BZK",
     "Minister voor Volkshuisvesting en Ruimtelijke Ordening", True),
    ("groot-wassink", "Rutger Groot Wassink", "Dhr.", "VNG", "bestuurder VNG", True),
    ("spies", "Liesbeth Spies", "Mevr.", "VNG", "bestuurder VNG", True),
    ("klijnsma", "Jetta Klijnsma", "Mevr.", "CdK",
     "Commissaris van de Koning in Drenthe", True),
    ("de-reus", "Jan de Reus", "Dhr.", "IPO", "bestuurlijk vertegenwoordiger IPO", True),
    ("schoenmaker", "Milo Schoenmaker", "Dhr.", "COA", "bestuursvoorzitter COA", True),
    ("van-rijn", "Martin van Rijn", "Dhr.", "Aedes", "voorzitter Aedes", True),
    ("adviseur-szw", "Adviseur SZW", "Mevr.", "SZW", "adviseur SZW", False),
    ("adviseur-vng", "Adviseur VNG", "Dhr.", "VNG", "adviseur VNG", False),
]
GUEST = ("kolff", "Wouter Kolff", "Dhr.")  # Veiligheidsberaad, invited for this meeting
# the offices as seed 004 names them: "Dhr. Van der Maat (SJenV), Dhr. De Jonge (MBZK)"
ABBREVIATIONS = {"van-der-maat": "SJenV", "de-jonge": "MBZK", "klijnsma": "CDK’s"}

AGENDA = [
    "Opening en mededelingen",
    "Gezamenlijke inzet uitstroom statushouders en inrichting decentraal coördinatiecentrum",
    "Pakket BZK inzake woonruimteverdeling en indeplaatsstelling",
    "Brieven aan Tweede Kamer en aan medeoverheden",
    "WVTTK",
]

LETTERS = [
    "Conceptbrief Tweede Kamer: taakstelling huisvesting vergunninghouders",
    "Conceptbrief Tweede Kamer: capaciteitsbesluit COA",
    "Conceptbrief Tweede Kamer: verdeling benodigde opvang over de provincies",
    "Conceptbrief medeoverheden: taakstelling, capaciteit en verdeling (afschrift TK)",
]

DRAFT = """
## 1. Opening en mededelingen
- Het verslag van de LRT van 3 november wordt geaccordeerd met een wijziging namens VNG.
- Verschillende leden (VNG, IPO, CdK's, Aedes) hebben moeite met de late aanlevering van
  documenten voor de LRT, welke een voorbereiding zeer lastig maakt.
- SJenV vindt goede samenwerking uitermate belangrijk en staat open voor verbeteringen.
- Actie: VNG levert wijziging aan op het verslag van 3 november.
## 2. Gezamenlijke inzet uitstroom statushouders en inrichting decentraal coördinatiecentrum
- De richting van de voorstellen wordt op hoofdlijnen gesteund.
- Er zijn veel vragen inzake de operationele uitwerking; gemeenten moeten niet dubbel
  benaderd worden.
- Het IPO wil informatie ontvangen als contact gelegd is met een gemeente.
- Actie: nadere uitwerking vindt op ambtelijk niveau plaats en wordt in de HLRT besproken.
## 3. Pakket BZK inzake woonruimteverdeling en indeplaatsstelling
- MBZK licht de maatregelen mondeling toe; IBT lost niet alle problemen op.
- IPO en VNG ondersteunen inzet van IBT waar gemeenten achterlopen.
- COA doet twee suggesties om de toewijzingen aan statushouders toe te laten nemen.
- Actie: VNG wordt betrokken bij het traject handelingsperspectieven IBT.
## 4. Brieven aan Tweede Kamer en aan medeoverheden
- Vrijdag na de MR gaan vier Kamerbrieven uit en één brief aan de medeoverheden.
- De toon in de brief wordt door VNG vaak als te zendend ervaren.
- Besluit: leden kunnen schriftelijk dringende opmerkingen maken tot 12u op 10 november.
- Actie: leden sturen eventuele opmerkingen naar JenV; JenV past de brieven aan.
## 5. WVTTK
- Over een aantal weken vindt de LRT weer plaats.
- VB vraagt wanneer de Tijdelijke wet Oekraïne geagendeerd wordt.
- Actie: VB en JenV hebben contact naar aanleiding van de vragen van VB.
"""

ATTENDANCE = {
    "van-der-maat": Presence.PRESENT, "de-jonge": Presence.PRESENT,
    "groot-wassink": Presence.REMOTE, "spies": Presence.REMOTE,
    "klijnsma": Presence.REMOTE, "de-reus": Presence.REMOTE,
    "schoenmaker": Presence.REMOTE, "van-rijn": Presence.REMOTE, "kolff": Presence.REMOTE,
    "adviseur-szw": Presence.REMOTE, "adviseur-vng": Presence.ABSENT,
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def run(app: Lrt, clock: SettableClock, say: Callable[[str], None] = print) -> str:
    """Play the cycle; return the id of the meeting whose minutes it approves."""

    def when(moment: str) -> None:
        clock.set(at(moment))

    when("2023-10-02 09:00")
    app.initialise(admin=SEC, organisation="JenV",
                   organisation_name="Ministerie van Justitie en Veiligheid", simulated=True)
    for code, name in ORGANISATIONS.items():
        app.register_organisation(SEC, code, name)
    for code, tooi in TOOI.items():  # the ministries' TOOI identifiers: DiWoo metadata
        app.record_tooi(SEC, code, tooi)
    app.register_table(SEC, "LRT", "Landelijke Regietafel Migratie en Integratie",
                       kind=TableKind.NATIONAL, secretariat="JenV", meetings_per_year=12)
    for key, name, title, org, function, office_holder in MEMBERS:
        app.register_person(SEC, name, person_key=key, title=title)
        app.add_member(SEC, "LRT", person=key, organisation=org, function=function,
                       since=date(2023, 9, 1), office_holder=office_holder,
                       abbreviation=ABBREVIATIONS.get(key))
    app.register_person(SEC, GUEST[1], person_key=GUEST[0], title=GUEST[2])
    # a guest who holds a public office: named in the Woo publication, not redacted
    app.record_office(SEC, GUEST[0], "burgemeester van Dordrecht, voorzitter Veiligheidsberaad")
    app.appoint_chair(SEC, "LRT", "van-der-maat")
    for login, person, org in [("spies", "spies", "VNG"), ("de-reus", "de-reus", "IPO"),
                               ("van-rijn", "van-rijn", "Aedes")]:
        app.register_user(SEC, login, Role.MEMBER, organisation=org, person=person)
    app.register_user(SEC, "kolff", Role.GUEST, person="kolff")
    app.register_user(SEC, "woo-officer", Role.AUDITOR)
    say(f"{len(ORGANISATIONS) + 1} organisations, {len(MEMBERS)} members of the LRT, users")

    when("2023-11-03 16:00")
    meeting = app.schedule_meeting(SEC, "LRT", at("2023-11-10 09:15"), "Webex")
    for title in AGENDA:
        app.add_agenda_item(SEC, meeting, title)
    app.invite_guest(SEC, meeting, "kolff")
    say(f"meeting {meeting} scheduled with {len(AGENDA)} agenda items")

    when("2023-11-09 17:30")  # the draft letters go out the evening before: late
    letters = [app.add_document(SEC, meeting, title, f"{title}.\n\n(concepttekst)")
               for title in LETTERS]
    for letter in letters:
        app.send_document(SEC, letter)
        app.open_comment_round(SEC, letter, at("2023-11-10 12:00"))
    say(f"{len(letters)} draft letters sent; comments until 10 November 12:00")

    when("2023-11-10 09:15")
    app.hold_meeting(SEC, meeting)
    for person, presence in ATTENDANCE.items():
        app.record_attendance(SEC, meeting, person, presence)
    when("2023-11-10 11:05")
    app.comment("spies", letters[0], "De toon van de brief is te zendend; graag meer "
                "gezamenlijkheid benadrukken.")
    when("2023-11-10 11:48")
    app.comment(SEC, letters[2], "IPO vraagt de verdeling per provincie als bijlage op te "
                "nemen.", for_person="de-reus", received_at=at("2023-11-10 11:40"))
    when("2023-11-10 12:20")
    try:
        app.comment("van-rijn", letters[0], "Aedes mist de rol van de corporaties.")
    except DomainError as refused:
        say(f"refused, as it should be: {refused}")
    app.close_meeting(SEC, meeting)

    owners = [["VNG"], ["JenV", "BZK"], ["BZK", "VNG"], ["JenV"], ["VB", "JenV"]]
    dues = [None, None, date(2023, 12, 15), date(2023, 11, 10), None]
    actions = []
    when("2023-11-13 10:00")
    for number, (item, who, due) in enumerate(zip(parse(DRAFT), owners, dues), start=1):
        text = next(p.text for p in item.points if p.kind == "action")
        actions.append(app.agree_action(SEC, meeting, item=number, text=text, owners=who,
                                        due=due))
    app.complete_action(SEC, actions[3], "Opmerkingen van VNG en IPO verwerkt in de brieven.")
    say(f"{len(actions)} actions recorded")

    when("2023-11-14 10:00")
    app.draft_minutes(SEC, meeting, parse(DRAFT))
    app.circulate_minutes(SEC, meeting, at("2023-11-21 12:00"))
    say("draft minutes circulated; comments until 21 November 12:00")
    when("2023-11-20 15:00")
    app.comment("de-reus", meeting, "Geen opmerkingen namens IPO.")
    amendment = app.propose_amendment(
        "spies", meeting, item=4, point=2,
        text="VNG ervaart de toon in de brieven vaak als te zendend en vraagt meer "
             "gezamenlijkheid in de formulering.")
    app.report_progress("spies", actions[2], "VNG neemt deel aan de eindsessie in december.")
    when("2023-11-22 09:00")
    app.accept_amendment(SEC, meeting, amendment)
    say(f"VNG's amendment {amendment} accepted: a new version of the minutes")

    when("2023-11-27 10:00")
    following = app.schedule_meeting(SEC, "LRT", at("2023-12-01 10:00"), "Johan de Witthuis")
    for title in ["Opening en mededelingen", "Vaststelling verslag LRT 10 november",
                  "Voortgang maatregelen", "WVTTK"]:
        app.add_agenda_item(SEC, following, title)
    when("2023-12-01 10:00")
    app.hold_meeting(SEC, following)
    app.approve_minutes(SEC, meeting, at_meeting=following)
    app.complete_action(SEC, actions[0], "Wijziging aangeleverd en verwerkt.")
    app.carry_over_action(SEC, actions[1], following)
    app.close_meeting(SEC, following)
    say(f"minutes of {meeting} approved at {following} with VNG's amendment")

    when("2023-12-20 09:00")
    return meeting
