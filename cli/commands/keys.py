"""Keys for encryption at rest."""

from __future__ import annotations

import click


@click.group()
def key() -> None:
    """Encryption keys: a store made with a key (--key-file, LRT_KEY_FILE or LRT_CIPHER_KEY)
    stores every event encrypted, and opens only with that key."""


@key.command("new")
@click.option("--bytes", "size", type=click.Choice(["16", "24", "32"]), default="32",
              show_default=True, help="Key length (AES-128, -192 or -256).")
@click.option("--out", metavar="FILE",
              help="Write the key into FILE, readable by its owner only (mode 0600), instead "
                   "of printing it; an existing FILE is never overwritten.")
def key_new(size: str, out: str | None) -> None:
    """A new random key (base64): printed on stdout, or written with --out. Keep it in a
    file only its owner can read (lrt refuses any other), and a copy outside the system;
    without it the store cannot be read."""
    import base64
    import os

    from lrt_app.settings import KeyProblem

    key = base64.b64encode(os.urandom(int(size))).decode("ascii")
    if out is None:
        click.echo(key)
        return
    try:
        # O_EXCL: a key is never overwritten (the store it opens would be lost with it);
        # the mode is set as the file is made, so no moment exists where others may read it.
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        reason = e.strerror if isinstance(e, OSError) and e.strerror else "not a file name"
        raise KeyProblem(f"key: cannot make the key file {out}: {reason}") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.chmod(out, 0o600)  # whatever the umask took away or added
    click.echo(f"key written to {out} (mode 0600); keep a copy outside the system",
               err=True)


def register(group: click.Group) -> None:
    group.add_command(key)
