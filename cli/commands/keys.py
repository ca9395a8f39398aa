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
def key_new(size: str) -> None:
    """Print a new random key (base64) on stdout: put it in a key file only its owner can
    read, and keep a copy outside the system; without it the store cannot be read."""
    from eventsourcing.cryptography import AESCipher

    click.echo(AESCipher.create_key(int(size)))


def register(group: click.Group) -> None:
    group.add_command(key)
