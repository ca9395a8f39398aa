"""`lrt serve` as it is run: the installed script in a subprocess, on SQLite (one process)
and on PostgreSQL with several workers, where a session begun in one worker goes on in the
others (the signing key handed to each, the sessions kept in the database)."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

import stores
from worlds.command_line import SEC, Cli, clean_env, lrt_executable
from worlds.portal import free_port


@contextmanager
def lrt_serve(cli: Cli, cwd: Path, *args: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(lrt_executable()), "--db", cli.store.url, "serve", "--port", str(port), *args],
        cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/static/lrt.css").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(process.communicate(timeout=10))
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _set_up(cli: Cli) -> None:
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    cli.new("person", "add", "Liesbeth Spies", "--id", "liesbeth-spies")
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "liesbeth-spies")


def _log_in(client: httpx.Client, link: str) -> None:
    page = client.get(link)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, page.text
    token = link.rsplit("/", 1)[1]
    response = client.post("/inloggen", data={"token": token, "csrf": csrf[1]})
    assert response.status_code == 303, response.text


def test_serve_on_the_store(store: stores.TestStore, tmp_path: Path) -> None:
    """On SQLite one process; on PostgreSQL two workers share the sessions."""
    cli = Cli(db=store)
    _set_up(cli)
    workers = ("--workers", "2") if store.kind == "postgres" else ()
    with lrt_serve(cli, tmp_path, *workers) as base:
        # links are issued on the real clock here, as the server reads it
        link = subprocess.run([str(lrt_executable()), "--db", store.url, "--as", SEC, "user",
                               "link", "spies", "--base-url", base], env=clean_env(),
                              capture_output=True, text=True, check=True).stdout.strip()
        assert link.startswith(f"{base}/inloggen/")
        with httpx.Client(base_url=base) as client:
            _log_in(client, link)
            # many requests: on PostgreSQL they reach both workers
            for _ in range(12):
                page = client.get("/")
                assert page.status_code == 200 and "Mijn overzicht" in page.text
            assert client.get("/static/lrt.css").headers["content-type"].startswith("text/css")
        with httpx.Client(base_url=base) as other:
            page = other.get(link)  # used: refused in whichever worker
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf
            again = other.post("/inloggen", data={"token": link.rsplit("/", 1)[1],
                                                  "csrf": csrf[1]})
            assert again.status_code == 403
