"""The member portal: an ASGI application (Starlette) of server-rendered Dutch pages.

Thin like the command line: every read goes through `projections.views.Views`, opened with
the logged-in user; every write through the same application command the CLI calls, as
that user (never a user named in a form). Refusals become Dutch in one place
(`web.messages`). The rules live in `lrt_domain`; nothing here decides who may do what.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from lrt_app.application import Lrt
from lrt_app.clock import Clock, SettableClock
from lrt_domain import permissions
from lrt_domain.base import Actor
from lrt_domain.dutch_time import AMSTERDAM, local_date
from lrt_domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, \
    RuleViolation
from lrt_domain.read_rules import View
from lrt_domain.tables import Table
from projections.views import Views

from . import dutch
from .messages import Refusal, dutch as dutch_refusal, field_of

HERE = Path(__file__).parent
MAX_BODY = 1024 * 1024  # bytes of a POSTed form
COOKIE = "lrt_sessie"


@dataclass
class PortalConfig:
    db: str | None = None  # a SQLite path or a PostgreSQL URL (as --db)
    key_file: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    secret: str = ""  # signs the session cookie; several workers must share it
    idle: timedelta = timedelta(minutes=30)  # a session unused this long has ended
    trust_header: str | None = None  # SSO: the header naming the user, ...
    trusted_proxies: tuple[str, ...] = ()  # ... accepted only from these addresses
    login_failures: int = 5  # failed login attempts per address ...
    login_window: timedelta = timedelta(minutes=15)  # ... within this window
    clock: Clock | None = None  # tests inject one; production reads the real one

    @property
    def secure(self) -> bool:
        return self.base_url.startswith("https://")


_arrival: ContextVar[float | None] = ContextVar("lrt_arrival", default=None)


class ArrivalClock:
    """The application's clock, read as of the moment the request arrived: a request that
    waited for its turn (the portal runs one command at a time per process) is judged at
    its arrival, as `Lrt._run` judges a retried command at its first reading. Only the real
    clocks are corrected; an injected test clock is read as it is."""

    def __init__(self, base: Clock):
        self.base = base
        self.correct = not isinstance(base, SettableClock)

    def now(self) -> datetime:
        moment = self.base.now()
        arrived = _arrival.get()
        if self.correct and arrived is not None:
            moment -= timedelta(seconds=max(0.0, time.monotonic() - arrived))
        return moment


class Arrival:
    """ASGI middleware: note when each request arrived (before any queue)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _arrival.set(time.monotonic())
        try:
            await self.app(scope, receive, send)
        finally:
            _arrival.reset(token)


class Portal:
    """What every request shares: the application and the templates."""

    def __init__(self, config: PortalConfig, app: Lrt | None = None):
        from lrt_app.bootstrap import portal_application

        self.config = config
        self.app = app or portal_application(config.db, clock=config.clock,
                                             key_file=config.key_file)
        self.app.clock = ArrivalClock(self.app.clock)
        self.lock = threading.RLock()  # one request at a time in this process
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(["html"]),
                                     trim_blocks=True, lstrip_blocks=True)
        self.templates.filters["woorden"] = dutch.in_words
        self.templates.filters["status"] = dutch.status
        self.templates.filters["gebeurtenis"] = dutch.event_name
        self.templates.filters["wijziging"] = dutch.change_in_words
        self.templates.filters["url"] = lambda key: quote(str(key), safe="/")

    def close(self) -> None:
        self.app.close()

    # --- who is logged in ---------------------------------------------------------------

    def login_of(self, request: Request) -> str | None:
        header = self.config.trust_header
        if header and request.client and request.client.host in self.config.trusted_proxies:
            named = request.headers.get(header)
            if named:
                return named
        session_id = request.session.get("sid")
        if not isinstance(session_id, str):
            return None
        return self.app.portal_store.session_user(session_id, now=self.app.clock.now(),
                                                  idle=self.config.idle)

    def actor(self, request: Request) -> Actor | None:
        login = self.login_of(request)
        if login is None:
            return None
        try:
            return self.app.actor(login)
        except DomainError:  # unknown or deactivated: not logged in
            return None

    # --- login attempts -----------------------------------------------------------------

    def begin_attempt(self, address: str) -> str | None:
        """A login attempt from `address`, noted in the store's table of attempts (shared
        by every worker, `lrt_app.portal_store`); None when too many failed there lately.
        It counts as failed unless `succeeded` is called."""
        return self.app.portal_store.begin_attempt(
            address, now=self.app.clock.now(), window=self.config.login_window,
            limit=self.config.login_failures)

    def succeeded(self, attempt: str) -> None:
        self.app.portal_store.end_attempt(attempt)

    # --- rendering ----------------------------------------------------------------------

    def render(self, request: Request, template: str, actor: Actor | None, *,
               status: int = 200, **context: Any) -> HTMLResponse:
        page = self.templates.get_template(template).render(
            actor=actor, csrf=csrf_token(request), path=request.url.path,
            notice=request.session.pop("melding", None), **context)
        response = HTMLResponse(page, status_code=status)
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self'; script-src 'none'; img-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


@dataclass
class Form:
    """A submitted form: its values (to fill the form in again) and its errors by field id."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def refuse(self, refusal: Refusal) -> None:
        self.errors[f"{self.name}-{refusal.field}"] = refusal.text


STATUS_OF = {NotFound: 422, Forbidden: 403, InvalidInput: 422, RuleViolation: 409,
             Conflict: 409}


def _status(error: DomainError) -> int:
    for cls, code in STATUS_OF.items():
        if isinstance(error, cls):
            return code
    return 409


Handler = Callable[[Portal, Request, Actor], Response]


def page(handler: Handler, *, login: bool = True) -> Callable[[Request], Response]:
    """An endpoint: the logged-in user (else to the login page), one request at a time,
    a view refused or not found as a Dutch 403/404 page that shows nothing of it."""
    def endpoint(request: Request) -> Response:
        portal: Portal = request.app.state.portal
        with portal.lock:
            actor = portal.actor(request)
            if actor is None:
                if request.method == "POST":
                    return portal.render(request, "fout.html", None, status=401,
                                         titel="Niet ingelogd",
                                         tekst="Uw sessie is verlopen. Log opnieuw in.")
                return RedirectResponse("/inloggen", status_code=303)
            if request.method == "POST" and not _csrf_ok(request):
                return refused_csrf(portal, request, actor)
            try:
                return handler(portal, request, actor)
            except NotFound:
                return portal.render(request, "fout.html", actor, status=404,
                                     titel="Niet gevonden",
                                     tekst="Deze pagina bestaat niet of is niet voor u.")
            except Forbidden:
                return portal.render(request, "fout.html", actor, status=403,
                                     titel="Geen toegang",
                                     tekst="U hebt geen toegang tot deze pagina.")
    return endpoint


def _csrf_ok(request: Request) -> bool:
    form: FormData = request.state.form
    sent = form.get("csrf")
    expected = request.session.get("csrf")
    return isinstance(sent, str) and isinstance(expected, str) and \
        hmac.compare_digest(sent.encode(), expected.encode())


def refused_csrf(portal: Portal, request: Request, actor: Actor | None) -> Response:
    return portal.render(request, "fout.html", actor, status=403,
                         titel="Formulier geweigerd",
                         tekst="Dit formulier is verlopen of niet via het portaal verstuurd; "
                               "er is niets opgeslagen. Laad de pagina opnieuw.")


class ReadForm:
    """ASGI middleware: parse a POST's form before the endpoint's thread (async), so that
    sync endpoints find it in `request.state.form`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            length = dict(scope["headers"]).get(b"content-length", b"")
            if not length.isdigit() or int(length) > MAX_BODY:
                # a form is small (a comment: at most 100,000 characters); no streaming
                response = Response("Formulier te groot of zonder lengte.", status_code=413,
                                    media_type="text/plain; charset=utf-8")
                await response(scope, receive, send)
                return
            request = Request(scope, receive)
            form = await request.form(max_files=0, max_fields=50, max_part_size=200_000)
            scope.setdefault("state", {})["form"] = form
        await self.app(scope, receive, send)


def _values(request: Request) -> dict[str, str]:
    form: FormData = request.state.form
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}


def _f(row: Any, name: str) -> Any:
    """A field of a view's row: the views answer dicts today and typed results soon, with
    the same field names (templates read both with dotted access)."""
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _moment(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _today(portal: Portal) -> Any:
    return local_date(portal.app.clock.now())


def _views(portal: Portal, actor: Actor) -> Views:
    return Views.open(portal.app, actor=actor)


def _manages(views: Views, actor: Actor, table: str) -> bool:
    """Whether to offer the forms of those who run the table (the command decides)."""
    t: Table = views.get(Table, table)
    return permissions.manages(actor, t)


# --- login and logout ---------------------------------------------------------------------


def login_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    with portal.lock:
        actor = portal.actor(request)
    if actor is not None:
        return RedirectResponse("/", status_code=303)
    return portal.render(request, "inloggen.html", None, token=None)


def login_link(request: Request) -> Response:
    """A login link: a page with a button, so that a link checker fetching the address does
    not use the link up (the POST does)."""
    portal: Portal = request.app.state.portal
    return portal.render(request, "inloggen.html", None, token=request.path_params["token"])


def login(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    address = request.client.host if request.client else "?"
    with portal.lock:
        attempt = portal.begin_attempt(address)
        if attempt is None:
            return portal.render(request, "fout.html", None, status=429,
                                 titel="Te veel pogingen",
                                 tekst="Er is te vaak geprobeerd in te loggen vanaf uw adres. "
                                       "Probeer het over een kwartier opnieuw.")
        if not _csrf_ok(request):  # counts as a failed attempt
            return refused_csrf(portal, request, None)
        token = request.state.form.get("token")
        login_name = portal.app.portal_store.redeem_link(token, now=portal.app.clock.now()) \
            if isinstance(token, str) and token else None
        try:
            actor = portal.app.actor(login_name) if login_name else None
        except DomainError:
            actor = None
        if actor is None:  # counts as a failed attempt
            return portal.render(request, "fout.html", None, status=403,
                                 titel="Inloglink ongeldig",
                                 tekst="Deze inloglink is ongeldig, al gebruikt of verlopen. "
                                       "Vraag het secretariaat om een nieuwe.")
        portal.succeeded(attempt)
        session_id = portal.app.portal_store.start_session(actor.user,
                                                           now=portal.app.clock.now())
    request.session.clear()
    request.session["sid"] = session_id
    request.session["csrf"] = secrets.token_urlsafe(32)
    return RedirectResponse("/", status_code=303)


def logout(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    if not _csrf_ok(request):
        return refused_csrf(portal, request, None)
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        with portal.lock:
            portal.app.portal_store.end_session(session_id, now=portal.app.clock.now())
    request.session.clear()
    request.session["melding"] = "U bent uitgelogd."
    return RedirectResponse("/inloggen", status_code=303)


# --- the pages ----------------------------------------------------------------------------


def overview(portal: Portal, request: Request, actor: Actor) -> Response:
    """Mijn overzicht: my tables, open rounds, documents of coming meetings, my
    organisation's open actions (overdue first)."""
    views = _views(portal, actor)
    now = portal.app.clock.now()
    today = local_date(now)
    tables = [t for t in views.tables()
              if views.may(View.HISTORY_TABLE, table=_f(t, "code"))
              or views.may(View.MEETINGS, table=_f(t, "code"))]
    rounds = []
    for r in views.deadlines(now):
        comments = [c for c in views.comments(actor, _f(r, "subject"))
                    if _f(c, "round") == _f(r, "round")]
        rounds.append({**{k: _f(r, k) for k in ("subject", "kind", "title", "table",
                                                 "deadline")},
                       "mine": any(_f(c, "person") == actor.person for c in comments),
                       "ours": bool(actor.organisation) and any(
                           _f(c, "organisation") == actor.organisation for c in comments),
                       "manages": _manages(views, actor, _f(r, "table"))})
    coming = [m for m in views.calendar(since=today) if _f(m, "status") == "planned"]
    actions = views.actions(today, owner=actor.organisation) if actor.organisation else []
    return portal.render(request, "overzicht.html", actor, tables=tables, rounds=rounds,
                         coming=coming, actions=actions)


def meeting_page(portal: Portal, request: Request, actor: Actor) -> Response:
    views = _views(portal, actor)
    key = request.path_params["key"]
    meeting = views.meeting(key)
    minutes = [m for m in views.minutes_list(_f(meeting, "table")) if _f(m, "meeting") == key]
    return portal.render(request, "vergadering.html", actor, meeting=meeting,
                         minutes=minutes[0] if minutes else None)


def document_page(portal: Portal, request: Request, actor: Actor, *,
                  forms: dict[str, Form] | None = None, status: int = 200) -> Response:
    views = _views(portal, actor)
    key = request.path_params["key"]
    document = views.document(key)
    now = portal.app.clock.now()
    rounds = _f(document, "comment_rounds")
    open_round = bool(rounds) and _moment(_f(rounds[-1], "deadline")) >= now
    manages = _manages(views, actor, _f(document, "table"))
    return portal.render(request, "document.html", actor, status=status, document=document,
                         open_round=open_round, manages=manages,
                         people=_people(views, _f(document, "table"), _f(document, "meeting"),
                                        manages),
                         forms=forms or {})


def _people(views: Views, table: str, meeting: str, manages: bool) -> list[dict[str, Any]]:
    """For the secretariat's form: whose e-mailed comment it records."""
    if not manages:
        return []
    today = local_date(views.now())
    people = [{"person": _f(m, "person"), "name": _f(m, "name"),
               "organisation": _f(m, "organisation")}
              for m in views.members(table, today)]
    return people


def minutes_page(portal: Portal, request: Request, actor: Actor, *,
                 forms: dict[str, Form] | None = None, status: int = 200) -> Response:
    views = _views(portal, actor)
    key = request.path_params["key"]
    minutes = views.minutes(actor, key)
    comments = views.comments(actor, key)
    now = portal.app.clock.now()
    rounds = _f(minutes, "comment_rounds")
    open_round = bool(rounds) and _moment(_f(rounds[-1], "deadline")) >= now
    manages = _manages(views, actor, _f(minutes, "table"))
    organisations = views.organisations()
    target = request.query_params.get("punt", "")
    return portal.render(request, "verslag.html", actor, status=status, minutes=minutes,
                         comments=comments, open_round=open_round, manages=manages,
                         organisations=organisations, target=target,
                         people=_people(views, _f(minutes, "table"), key, manages),
                         forms=forms or {})


def action_page(portal: Portal, request: Request, actor: Actor, *,
                forms: dict[str, Form] | None = None, status: int = 200) -> Response:
    views = _views(portal, actor)
    action = views.action(request.path_params["key"])
    return portal.render(request, "actie.html", actor, status=status, action=action,
                         forms=forms or {})


def round_page(portal: Portal, request: Request, actor: Actor) -> Response:
    """Who commented and who did not, in every round on minutes or a document."""
    views = _views(portal, actor)
    key = request.path_params["key"]
    now = portal.app.clock.now()
    comments = views.comments(actor, key)  # the subject's read rule (or not found)
    rows = [r for r in views.deadlines(now, include_closed=True) if _f(r, "subject") == key]
    names: dict[str, str] = {}
    if rows:
        try:
            names = {_f(m, "person"): _f(m, "name")
                     for m in views.members(_f(rows[0], "table"), local_date(now))}
        except DomainError:
            names = {}
    return portal.render(request, "ronde.html", actor, key=key, rounds=rows,
                         comments=comments, names=names)


def history_page(portal: Portal, request: Request, actor: Actor) -> Response:
    views = _views(portal, actor)
    key = request.path_params["key"]
    return portal.render(request, "geschiedenis.html", actor, key=key,
                         rows=views.history(actor, key))


def minutes_list_page(portal: Portal, request: Request, actor: Actor) -> Response:
    views = _views(portal, actor)
    return portal.render(request, "verslagen.html", actor, minutes=views.minutes_list())


# --- the forms ----------------------------------------------------------------------------


def _received_at(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"received at: {text!r} is not a time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def comment(portal: Portal, request: Request, actor: Actor) -> Response:
    """A comment on minutes or a document; the secretariat records one received by
    e-mail (form `namens`: whose, and when it was received)."""
    key = request.path_params["key"]
    values = _values(request)
    name = "namens" if values.get("formulier") == "namens" else "reactie"
    form = Form(name, values)
    try:
        if name == "namens":
            if not values.get("ontvangen"):
                raise InvalidInput("received at: must not be empty")
            portal.app.comment(actor.user, key, values.get("tekst", ""),
                               for_person=values.get("persoon") or None,
                               received_at=_received_at(values["ontvangen"]))
        else:
            portal.app.comment(actor.user, key, values.get("tekst", ""))
    except (InvalidInput, RuleViolation, Forbidden, NotFound, Conflict) as e:
        if isinstance(e, NotFound) and field_of(e) not in ("person", "organisation"):
            raise  # the page's own subject: not found (404), not a field of the form
        form.refuse(dutch_refusal(e))
        render = minutes_page if "/" not in key else document_page
        return render(portal, request, actor, forms={name: form}, status=_status(e))
    request.session["melding"] = "Uw reactie is opgeslagen." if name == "reactie" else \
        "De reactie is vastgelegd."
    target = f"/verslag/{quote(key)}" if "/" not in key else f"/document/{quote(key, safe='/')}"
    return RedirectResponse(target + "#reacties", status_code=303)


def amendment(portal: Portal, request: Request, actor: Actor) -> Response:
    key = request.path_params["key"]
    values = _values(request)
    form = Form("wijziging", values)
    try:
        item, _, point = values.get("punt", "").partition(".")
        if not item.isdigit() or (point and not point.isdigit()):
            raise InvalidInput("point: must not be empty")
        portal.app.propose_amendment(actor.user, key, item=int(item),
                                     point=int(point) if point else None,
                                     text=values.get("tekst", ""),
                                     on_behalf_of=values.get("organisatie") or None)
    except (InvalidInput, RuleViolation, Forbidden, NotFound, Conflict) as e:
        if isinstance(e, NotFound) and field_of(e) not in ("point", "item", "organisation"):
            raise
        form.refuse(dutch_refusal(e))
        return minutes_page(portal, request, actor, forms={"wijziging": form},
                            status=_status(e))
    request.session["melding"] = "Uw wijzigingsvoorstel is opgeslagen."
    return RedirectResponse(f"/verslag/{quote(key)}#wijzigingen", status_code=303)


def decide_amendment(portal: Portal, request: Request, actor: Actor) -> Response:
    key = request.path_params["key"]
    number = request.path_params["number"]
    values = _values(request)
    form = Form(f"besluit{number}", values)
    try:
        if values.get("besluit") == "aanvaarden":
            portal.app.accept_amendment(actor.user, key, number)
        else:
            portal.app.reject_amendment(actor.user, key, number, values.get("reden", ""))
    except (InvalidInput, RuleViolation, Forbidden, NotFound, Conflict) as e:
        if isinstance(e, NotFound) and field_of(e) != "amendment":
            raise
        said = dutch_refusal(e, default_field="reden")
        form.refuse(Refusal("reden", said.text))  # the decision's one field
        return minutes_page(portal, request, actor, forms={form.name: form},
                            status=_status(e))
    request.session["melding"] = f"Wijzigingsvoorstel {number} is " + (
        "aanvaard." if values.get("besluit") == "aanvaarden" else "verworpen.")
    return RedirectResponse(f"/verslag/{quote(key)}#wijzigingen", status_code=303)


def progress(portal: Portal, request: Request, actor: Actor) -> Response:
    key = request.path_params["key"]
    values = _values(request)
    form = Form("voortgang", values)
    try:
        portal.app.report_progress(actor.user, key, values.get("tekst", ""))
    except (InvalidInput, RuleViolation, Forbidden, Conflict) as e:
        form.refuse(dutch_refusal(e))
        return action_page(portal, request, actor, forms={"voortgang": form},
                           status=_status(e))
    request.session["melding"] = "De voortgang is opgeslagen."
    return RedirectResponse(f"/actie/{quote(key, safe='/')}", status_code=303)


def not_found(request: Request, exc: Exception) -> Response:
    portal: Portal = request.app.state.portal
    return portal.render(request, "fout.html", None, status=404, titel="Niet gevonden",
                         tekst="Deze pagina bestaat niet.")


def server_error(request: Request, exc: Exception) -> Response:
    """Anything but a refusal: a Dutch page, never a trace (the server's log has it)."""
    portal: Portal = request.app.state.portal
    return portal.render(request, "fout.html", None, status=500, titel="Er ging iets mis",
                         tekst="Het portaal kon uw verzoek niet afhandelen. Kijk op de "
                               "pagina of uw bijdrage is opgeslagen en probeer het zo nodig "
                               "opnieuw.")


def _closing(portal: Portal) -> Callable[[Starlette], Any]:
    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            portal.close()
    return lifespan


def create_app(config: PortalConfig, app: Lrt | None = None) -> Starlette:
    """The portal on the store of `config` (or on an application already built)."""
    portal = Portal(config, app)
    routes = [
        Route("/", page(overview)),
        Route("/inloggen", login_page),
        Route("/inloggen", login, methods=["POST"]),
        Route("/inloggen/{token}", login_link),
        Route("/uitloggen", logout, methods=["POST"]),
        Route("/verslagen", page(minutes_list_page)),
        Route("/vergadering/{key}", page(meeting_page)),
        Route("/verslag/{key}", page(minutes_page)),
        Route("/document/{key:path}", page(document_page)),
        Route("/actie/{key:path}", page(action_page)),
        Route("/ronde/{key:path}", page(round_page)),
        Route("/geschiedenis/{key:path}", page(history_page)),
        Route("/reageren/{key:path}", page(comment), methods=["POST"]),
        Route("/wijzigen/{key}", page(amendment), methods=["POST"]),
        Route("/besluiten/{key}/{number:int}", page(decide_amendment), methods=["POST"]),
        Route("/voortgang/{key:path}", page(progress), methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    secret = config.secret or secrets.token_urlsafe(32)
    web = Starlette(routes=routes, middleware=[
        Middleware(Arrival),
        Middleware(SessionMiddleware, secret_key=secret, session_cookie=COOKIE,
                   max_age=12 * 3600, same_site="lax", https_only=config.secure),
        Middleware(ReadForm),
    ], exception_handlers={404: not_found, 500: server_error}, lifespan=_closing(portal))
    web.state.portal = portal
    return web


def from_environment() -> Starlette:
    """For `uvicorn --factory` with several workers: `lrt serve` hands each worker its
    settings in the environment (LRT_PORTAL_*), the secret among them."""
    env = os.environ
    return create_app(PortalConfig(
        db=env.get("LRT_DB"), key_file=env.get("LRT_KEY_FILE"),
        base_url=env.get("LRT_PORTAL_BASE_URL", "http://127.0.0.1:8000"),
        secret=env["LRT_PORTAL_SECRET"],
        idle=timedelta(seconds=int(env.get("LRT_PORTAL_IDLE", "1800"))),
        trust_header=env.get("LRT_PORTAL_TRUST_HEADER") or None,
        trusted_proxies=tuple(p for p in env.get("LRT_PORTAL_TRUSTED_PROXIES", "").split(",")
                              if p)))
