"""Sending mail: the SMTP settings, and one connection that sends message after message.

`LRT_SMTP=smtp://user@host:port` (STARTTLS whenever the server offers it) or
`smtps://user@host:port` (TLS from the start); the server's certificate is verified against
the system's certificates, and those of `LRT_SMTP_CA_FILE` (a private CA) when set. The password never travels in the URL: it
comes from `LRT_SMTP_PASSWORD` or from the file named by `LRT_SMTP_PASSWORD_FILE`, and is
never printed, logged or recorded. The sender is `LRT_MAIL_FROM`
("LRT secretariaat <secretariaat@example.nl>").
"""

from __future__ import annotations

import email.policy
import io
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import unquote, urlsplit

from lrt_domain.errors import InvalidInput

from .mail_render import Rendered

LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str  # smtp | smtps
    host: str
    port: int
    user: str | None
    sender: str  # 'Name <address>' or an address
    password: str | None = field(default=None, repr=False)  # never shown
    portal_url: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None  # certificates to trust besides the system's (LRT_SMTP_CA_FILE)

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]

    @property
    def domain(self) -> str:
        return self.sender_address.rsplit("@", 1)[-1]

    def describe(self) -> str:
        """Where mail goes, for people to read: never the password."""
        who = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


def settings(env: dict[str, str], *, smtp: str | None = None, sender: str | None = None,
             portal_url: str | None = None) -> SmtpSettings:
    """The settings from the environment (and the command line's options, which win)."""
    url = smtp or env.get("LRT_SMTP")
    if not url:
        raise InvalidInput("smtp: set LRT_SMTP=smtp://user@host:port (or smtps://) "
                           "or give --smtp")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise InvalidInput("smtp: the address must start with smtp:// or smtps://")
    if parts.password is not None:
        raise InvalidInput("smtp: put the password in LRT_SMTP_PASSWORD or "
                           "LRT_SMTP_PASSWORD_FILE, not in the address")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise InvalidInput("smtp: the port is not a number") from None
    if not parts.hostname:
        raise InvalidInput("smtp: the address names no host")
    password = env.get("LRT_SMTP_PASSWORD")
    if password is None and env.get("LRT_SMTP_PASSWORD_FILE"):
        try:
            with open(env["LRT_SMTP_PASSWORD_FILE"], encoding="utf8") as f:
                password = f.read().strip("\r\n")
        except OSError as e:
            raise InvalidInput(f"smtp: cannot read LRT_SMTP_PASSWORD_FILE "
                               f"({e.strerror})") from None
    user = unquote(parts.username) if parts.username else None
    if user and password is None:
        raise InvalidInput(f"smtp: {user} needs a password: set LRT_SMTP_PASSWORD or "
                           "LRT_SMTP_PASSWORD_FILE")
    from_ = sender or env.get("LRT_MAIL_FROM")
    if not from_ or "@" not in parseaddr(from_)[1]:
        raise InvalidInput("mail from: set LRT_MAIL_FROM (e.g. 'Secretariaat LRT "
                           "<secretariaat@example.nl>') or give --from")
    portal = portal_url or env.get("LRT_PORTAL_URL") or None
    if portal and urlsplit(portal).scheme not in ("http", "https"):
        raise InvalidInput("portal url: it must start with https:// (or http://)")
    ca_file = env.get("LRT_SMTP_CA_FILE") or None
    if ca_file and not os.path.isfile(ca_file):
        raise InvalidInput(f"smtp: LRT_SMTP_CA_FILE {ca_file!r} is not a file")
    return SmtpSettings(scheme=parts.scheme, host=parts.hostname, port=port, user=user,
                        password=password, sender=from_, portal_url=portal, ca_file=ca_file)


class Unreachable(Exception):
    """The server could not be reached, or broke off: nothing more can be sent now."""


@dataclass
class Refused(Exception):
    """The server refused this message: for good (5xx) or for now (4xx)."""

    reason: str
    permanent: bool


def message(rendered: Rendered, *, sender: str, to: str, to_name: str, message_id: str,
            date: str) -> EmailMessage:
    # Headers up to SMTP's line limit are not folded: Python folds a subject a little
    # longer than 78 characters before its first word, which readers then show indented.
    msg = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=998))
    msg["From"] = sender
    name, address = to_name, to
    local_part, domain = address.rsplit("@", 1)
    msg["To"] = Address(display_name=name, username=local_part, domain=domain)
    msg["Subject"] = rendered.subject
    msg["Date"] = date
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    msg["Content-Language"] = "nl"
    msg.set_content(rendered.text())
    msg.add_alternative(rendered.html(), subtype="html")
    for a in rendered.attachments:
        msg.add_attachment(a.content, maintype=a.maintype, subtype=a.subtype,
                           filename=a.filename, params=a.params)
    return msg


def date_header(moment: object) -> str:
    from datetime import datetime

    assert isinstance(moment, datetime)
    from lrt_domain.dutch_time import local

    return format_datetime(local(moment))


class Connection:
    """One SMTP session, opened on first use and reused for every message of a run."""

    def __init__(self, s: SmtpSettings):
        self.s = s
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.s
        context = ssl.create_default_context(cafile=s.ca_file)
        try:
            smtp: smtplib.SMTP
            if s.scheme == "smtps":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo()
            encrypted = s.scheme == "smtps"
            if not encrypted and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                encrypted = True
            if s.user:
                if not encrypted and s.host not in LOOPBACK:
                    smtp.close()
                    raise Unreachable(f"{s.describe()} offers no TLS; the password is not "
                                      "sent unencrypted")
                assert s.password is not None
                smtp.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError as e:
            raise Unreachable(f"{s.describe()} refused the login ({e.smtp_code})") from None
        except (OSError, smtplib.SMTPException) as e:
            raise Unreachable(f"{s.describe()}: {_reason(e)}") from None
        return smtp

    def send(self, msg: EmailMessage, to: str) -> str:
        """Send to one recipient; returns the server's reply to the message (its
        acceptance, with the server's queue id where it gives one). `Refused` for this
        message, `Unreachable` when nothing can be sent now."""
        if self.smtp is None:
            self.smtp = self._open()
        smtp = self.smtp
        out = io.BytesIO()
        BytesGenerator(out, policy=msg.policy.clone(linesep="\r\n")).flatten(msg)
        try:
            code, reply = smtp.mail(self.s.sender_address)
            if code != 250:
                self.close()
                raise Unreachable(f"the server refused the sender: {code} {_text(reply)}")
            code, reply = smtp.rcpt(to)
            if code not in (250, 251):
                smtp.rset()
                raise Refused(f"{code} {_text(reply)}", permanent=500 <= code < 600)
            code, reply = smtp.data(out.getvalue())
            if code != 250:
                smtp.rset()
                raise Refused(f"{code} {_text(reply)}", permanent=500 <= code < 600)
        except (OSError, smtplib.SMTPException) as e:
            self.close()
            raise Unreachable(f"{self.s.describe()}: {_reason(e)}") from None
        return f"{code} {_text(reply)}"

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())[:300]


def _reason(e: BaseException) -> str:
    if isinstance(e, smtplib.SMTPResponseException):
        return f"{e.smtp_code} {_text(e.smtp_error)}"
    return " ".join((str(e) or type(e).__name__).split())[:300]
