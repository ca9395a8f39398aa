"""`lrt serve`: the member portal (the web package), served by uvicorn."""

from __future__ import annotations

import ipaddress
from typing import Any

import click

from ..params import DURATION
from ..session import Session, pass_session


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (put a reverse proxy with TLS in front).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes; more than one only on PostgreSQL.")
@click.option("--base-url", envvar="LRT_PORTAL_BASE_URL", metavar="URL",
              help="The address members use (https://... makes cookies Secure) "
                   "[default: http://HOST:PORT; env LRT_PORTAL_BASE_URL].")
@click.option("--idle", type=DURATION, default="30m", show_default=True,
              help="A session unused this long ends.")
@click.option("--trust-header", metavar="NAME",
              help="Single sign-on: the header in which the proxy names the user ...")
@click.option("--trusted-proxy", "trusted_proxies", metavar="ADDR", multiple=True,
              help="... accepted only from this proxy address (repeatable).")
@click.option("--secret-file", type=click.Path(dir_okay=False), metavar="PATH",
              envvar="LRT_PORTAL_SECRET_FILE",
              help="A file holding the key that signs session cookies (so sessions "
                   "survive a restart) [default: a new key at each start].")
@pass_session
def serve(session: Session, host: str, port: int, workers: int, base_url: str | None,
          idle: Any, trust_header: str | None, trusted_proxies: tuple[str, ...],
          secret_file: str | None) -> None:
    """Serve the member portal: members read, comment and amend in a browser."""
    import os
    import secrets

    import uvicorn

    from lrt_app.settings import store
    from web.app import PortalConfig, create_app

    if bool(trust_header) != bool(trusted_proxies):
        raise click.UsageError("--trust-header and --trusted-proxy go together")
    for address in trusted_proxies:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise click.BadParameter(f"{address!r} is not an IP address",
                                     param_hint="'--trusted-proxy'") from None
    base_url = (base_url or f"http://{host}:{port}").rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://",
                                 param_hint="'--base-url'")
    if secret_file:
        try:
            with open(secret_file, encoding="utf-8") as f:
                secret = f.read().strip()
        except OSError as e:
            raise click.BadParameter(f"cannot read {secret_file}: {e.strerror}",
                                     param_hint="'--secret-file'") from None
        if len(secret) < 32:
            raise click.BadParameter("the key must be at least 32 characters",
                                     param_hint="'--secret-file'")
    else:
        secret = secrets.token_urlsafe(32)
    location = store(session.db, must_exist=True, key_file=session.key_file)
    if workers > 1 and not location.is_postgres:
        raise click.UsageError("--workers: a SQLite store is served by one process; use "
                               "PostgreSQL for more")
    config = PortalConfig(db=session.db, key_file=session.key_file, base_url=base_url,
                          secret=secret, idle=idle, trust_header=trust_header,
                          trusted_proxies=trusted_proxies)
    click.echo(f"lrt portal on {base_url} (listening on {host}:{port}, store "
               f"{location.name}); Ctrl-C stops it", err=True)
    if workers == 1:
        web = create_app(config)  # built (and the store checked) before listening
        uvicorn.run(web, host=host, port=port, log_level="warning",
                    proxy_headers=False, server_header=False)
        return
    # several processes: each builds its own application from the environment
    env = {"LRT_PORTAL_BASE_URL": base_url, "LRT_PORTAL_SECRET": secret,
           "LRT_PORTAL_IDLE": str(int(idle.total_seconds())),
           "LRT_PORTAL_TRUST_HEADER": trust_header or "",
           "LRT_PORTAL_TRUSTED_PROXIES": ",".join(trusted_proxies)}
    if session.db:
        env["LRT_DB"] = session.db
    if session.key_file:
        env["LRT_KEY_FILE"] = session.key_file
    os.environ.update(env)
    create_app(config).state.portal.close()  # check the store once, before listening
    uvicorn.run("web.app:from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning", proxy_headers=False,
                server_header=False)


def register(group: click.Group) -> None:
    group.add_command(serve)
