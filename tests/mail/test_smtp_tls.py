"""STARTTLS when the server offers it, the certificate verified (a private CA from
LRT_SMTP_CA_FILE), and the login sent only inside TLS; the password never shown."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path
from typing import Any

import pytest

from worlds.command_line import Cli, store_fingerprint

from .conftest import Collector, free_port
from .test_notify import REUS, SPIES, run, world

PASSWORD = "z33r-geheim"


def self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class TlsCollector(Collector):
    sessions: list[tuple[bool, Any]]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sessions.append((session.ssl is not None, session.auth_data))
        return await super().handle_DATA(server, session, envelope)


def test_starttls_and_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"post" \
            and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, auth_data="post" if ok else None)

    collector = TlsCollector()
    collector.sessions = []
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port,
                            tls_context=context, require_starttls=True, auth_required=True,
                            authenticator=authenticate)
    controller.start()
    try:
        cli = Cli(db=tmp_path / "lrt.sqlite")
        world(cli)
        monkeypatch.setenv("LRT_SMTP", f"smtp://post@127.0.0.1:{port}")
        monkeypatch.setenv("LRT_MAIL_FROM", "Secretariaat LRT <lrt@minjenv.example>")
        monkeypatch.setenv("LRT_SMTP_PASSWORD", PASSWORD)
        before = store_fingerprint(cli.db)
        # the certificate is not trusted without its CA: nothing sent, the password kept
        result = cli.invoke("notify", "run")
        assert result.exit_code == 3 and "certificate" in result.stdout.lower(), result.stdout
        assert PASSWORD not in result.stdout + result.stderr
        assert collector.received == []
        monkeypatch.setenv("LRT_SMTP_CA_FILE", str(cert))
        cli.at("2023-11-01 09:15")  # past the back-off
        report = run(cli)
        assert report["sent"] == 2, report
        assert sorted(r.rcpt_tos[0] for r in collector.received) == sorted([SPIES, REUS])
        assert collector.sessions == [(True, "post"), (True, "post")]  # in TLS, logged in
        assert store_fingerprint(cli.db)[0] > before[0]
        for row in cli.store.stored_events():
            assert PASSWORD.encode() not in row[3]
    finally:
        controller.stop()
