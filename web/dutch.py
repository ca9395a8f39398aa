"""Times and words as the portal's Dutch pages write them."""

from __future__ import annotations

import re
from datetime import date, datetime

from lrt_domain.dutch_time import local

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _parse(value: str | datetime | date | None) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value)


def in_words(value: str | datetime | date | None) -> str:
    """'dinsdag 21 november 2023, 12.00 uur' (a time), 'dinsdag 21 november 2023' (a day)."""
    moment = _parse(value)
    if moment is None:
        return "onbekend"
    if isinstance(moment, datetime):
        moment = local(moment)
        day = moment.date()
        return f"{_day(day)}, {moment.hour}.{moment.minute:02d} uur"
    return _day(moment)


def _day(day: date) -> str:
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


STATUS = {
    # minutes
    "draft": "concept", "circulated": "concept, rondgestuurd", "revised": "concept, herzien",
    "approved": "vastgesteld",
    "in written procedure": "in schriftelijke procedure",
    # amendments
    "pending": "in behandeling", "accepted": "aanvaard", "rejected": "verworpen",
    # meetings
    "planned": "gepland", "held": "gehouden", "closed": "afgesloten",
    "cancelled": "geannuleerd",
    # actions
    "open": "open", "done": "afgerond", "carried over": "doorgeschoven",
    # attendance
    "present": "aanwezig", "remote": "aanwezig (digitaal)", "absent": "afwezig",
    "substitute": "vervanger",
    # roles
    "secretariat": "secretariaat", "chair": "voorzitter", "member": "lid", "guest": "gast",
    "auditor": "auditor",
}


def status(value: str | None) -> str:
    return STATUS.get(value or "", value or "")


# --- an object's history, as the portal's page writes it ----------------------------------

EVENTS = {  # each event type (its topic without 'lrt.'): what happened, in Dutch
    "Action.Agreed": "actie afgesproken", "Action.Cancelled": "actie vervallen",
    "Action.CarriedOver": "actie doorgeschoven", "Action.Completed": "actie afgerond",
    "Action.ProgressReported": "voortgang gemeld", "Action.Reworded": "actie herschreven",
    "Amendment.Proposed": "wijzigingsvoorstel ingediend", "Comment.Submitted": "reactie gegeven",
    "CommentRound.Closed": "commentaarronde gesloten",
    "CommentRound.CommentSubmitted": "reactie gegeven",
    "CommentRound.Opened": "commentaarronde geopend",
    "Document.Added": "vergaderstuk toegevoegd", "Document.Revised": "vergaderstuk herzien",
    "Document.Sent": "vergaderstuk verzonden",
    "Mail.Decided": "bericht besloten", "Mail.Dropped": "bericht vervallen",
    "Mail.Failed": "bericht niet afgeleverd", "Mail.Sent": "bericht verzonden",
    "Meeting.AgendaItemAdded": "agendapunt toegevoegd",
    "Meeting.AttendanceRecorded": "aanwezigheid vastgelegd",
    "Meeting.Cancelled": "vergadering geannuleerd", "Meeting.Closed": "vergadering afgesloten",
    "Meeting.GuestInvited": "gast uitgenodigd", "Meeting.Held": "vergadering gehouden",
    "Meeting.Rescheduled": "vergadering verplaatst", "Meeting.Scheduled": "vergadering gepland",
    "Minutes.AmendmentAccepted": "wijzigingsvoorstel aanvaard",
    "Minutes.AmendmentProposed": "wijzigingsvoorstel ingediend",
    "Minutes.AmendmentRejected": "wijzigingsvoorstel verworpen",
    "Minutes.Approved": "verslag vastgesteld", "Minutes.Circulated": "verslag rondgestuurd",
    "Minutes.Corrected": "verslag gecorrigeerd", "Minutes.Drafted": "verslag opgesteld",
    "Minutes.ObjectionRaised": "bezwaar gemaakt", "Minutes.Revised": "verslag herzien",
    "Minutes.ProposalAccepted": "wijzigingsvoorstel aanvaard",
    "Minutes.ProposalRejected": "wijzigingsvoorstel verworpen",
    "Minutes.WrittenProcedureStarted": "schriftelijke procedure gestart",
    "Notifier.Advanced": "berichtendienst bijgewerkt",
    "Notifier.Started": "berichtendienst gestart",
    "Organisation.EmailChanged": "e-mailadres gewijzigd",
    "Organisation.Registered": "organisatie ingeschreven",
    "Organisation.TooiRecorded": "TOOI-identificatie vastgelegd",
    "Person.EmailChanged": "e-mailadres gewijzigd", "Person.MailOptedIn": "berichten aangezet",
    "Person.MailOptedOut": "berichten uitgezet", "Person.OfficeRecorded": "ambt vastgelegd",
    "Person.Registered": "persoon ingeschreven",
    "Publication.Opened": "openbaarmaking voorbereid",
    "Publication.Published": "openbaar gemaakt", "Publication.RedactionAdded": "gelakt",
    "Publication.RedactionLifted": "lakking opgeheven",
    "Publication.SuggestionDismissed": "voorgestelde naam afgewezen",
    "Store.ChainLinked": "hashketen gekoppeld", "Store.Initialised": "opslag aangemaakt",
    "Table.ChairAppointed": "voorzitter benoemd", "Table.MemberJoined": "lid toegetreden",
    "Table.MembershipEnded": "lidmaatschap beëindigd", "Table.Registered": "tafel ingesteld",
    "Table.RhythmChanged": "vergaderritme gewijzigd",
    "Table.RulesChanged": "werkafspraken gewijzigd",
    "User.Deactivated": "gebruiker gedeactiveerd", "User.Registered": "gebruiker ingeschreven",
}

FIELDS = {  # the names of the events' data (and of the records they hold)
    "abbreviation": "afkorting", "amendment": "wijzigingsvoorstel",
    "amendments": "wijzigingsvoorstellen", "announced_deadline": "aangekondigde termijn",
    "approval": "vaststelling", "approved_at": "vastgesteld op",
    "approved_digest": "vingerafdruk vastgesteld", "approved_version": "vastgestelde versie",
    "approval_procedure": "vaststelling", "action_notice_days": "dagen vooraankondiging actie",
    "at_meeting": "in vergadering", "attendance": "aanwezigheid", "by": "door",
    "chain_head": "hashketen", "chain_length": "lengte hashketen", "change": "wijziging",
    "closed_at": "gesloten op", "code": "kenmerk", "comment": "reactie",
    "comment_round_days": "dagen commentaarronde", "comments": "reacties",
    "correction": "correctie", "deadline": "termijn", "decided_at": "besloten op",
    "decided_by_organisation": "besloten door", "decided_by_role": "besloten als",
    "default": "standaard", "documents_due_days": "dagen stukken vooraf", "due": "uiterlijk",
    "effective_from": "geldig vanaf", "email": "e-mailadres", "facts": "gegevens",
    "function": "functie", "ground": "grond", "html_digest": "vingerafdruk html",
    "inventory": "inventaris", "item": "agendapunt", "items": "agendapunten",
    "key": "kenmerk", "kind": "soort", "linked": "gekoppeld", "made_by": "door",
    "meeting": "vergadering", "meetings_per_year": "vergaderingen per jaar",
    "membership": "lidmaatschap", "message_id": "berichtkenmerk", "name": "naam",
    "next_attempt": "volgende poging", "not_after": "uiterlijk", "note": "toelichting",
    "number": "nummer", "objection": "bezwaar", "objections": "bezwaren",
    "occurrences": "vindplaatsen", "of_version": "op versie", "office": "ambt",
    "office_holder": "ambtsdrager", "opened_at": "geopend op", "organisation": "organisatie",
    "owners": "eigenaren", "passage": "passage", "permanent": "blijvend",
    "person": "persoon", "person_number": "persoonsnummer", "phone": "telefoonnummer",
    "place": "plaats", "point": "punt", "points": "punten", "position": "stand",
    "presence": "aanwezigheid", "procedure": "procedure", "progress": "voortgang",
    "proposal": "wijzigingsvoorstel", "subject_kind": "soort onderwerp",
    "public_digest": "vingerafdruk openbaar", "reason": "reden",
    "received_at": "ontvangen op", "recipient": "ontvanger",
    "recipient_kind": "soort ontvanger", "ref": "verwijzing",
    "reminder_hours": "uren herinnering", "reply": "antwoord", "reported_at": "gemeld op",
    "round": "commentaarronde", "rules": "werkafspraken", "secretariat": "secretariaat",
    "sent_at": "verzonden op", "simulated": "gesimuleerd", "since": "vanaf",
    "started_at": "gestart op", "starts_at": "aanvang", "status": "status",
    "subject": "onderwerp", "substitute_for": "vervangt", "table": "tafel",
    "text": "tekst", "text_digest": "vingerafdruk tekst", "text_version": "tekstversie",
    "title": "titel", "to": "aan", "to_meeting": "naar vergadering", "tooi": "TOOI",
    "until": "tot", "user_role": "rol", "version": "versie",
    "written_procedure_days": "dagen schriftelijke procedure",
}

WORDS = {  # values of the domain's choices
    **STATUS, "point": "punt", "decision": "besluit", "action": "actie",
    "meeting": "in de vergadering", "written": "schriftelijk", "national": "landelijk",
    "regional": "regionaal", "preparatory": "voorbereidend",
}


def event_name(event: str) -> str:
    """'Meeting.Scheduled' -> 'vergadering gepland'."""
    return EVENTS.get(event, event)


def change_in_words(change: str) -> str:
    """An event's data (`projections.history.change`, JSON) as a reader takes it in:
    'tafel LRT, aanvang dinsdag 10 november 2023, 9.15 uur, plaats Webex'."""
    from projections.changes import Words, said

    return said(change, Words(
        name=lambda k: FIELDS.get(k, k.replace("_", " ")),
        moment=lambda v, k: in_words(v.replace("Z", "+00:00")) if MOMENT.match(v) else None,
        text=lambda v, k: WORDS.get(v, v) if k in CHOICES else (f"‘{v}’" if " " in v else v),
        yes="ja", no="nee"))


MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?\Z")
CHOICES = ("presence", "status", "kind", "user_role", "approval", "role")  # said in WORDS
