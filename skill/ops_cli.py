"""Operator commands: ``porchlight db upgrade``, ``porchlight data export|delete USER_ID``.

Nothing heavy is imported until a command runs, so ``porchlight --help`` stays fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from skill.storage import HouseholdStore

Command = TypeVar("Command", bound=Callable[..., Any])

# Event kinds under the plain names an export uses; any other kind becomes "<kind>s".
PLAIN_NAMES = {"withdrawal": "withdrawals", "pause": "pauses", "resume": "resumes",
               "boundary-set": "boundaries_set", "boundary-removed": "boundaries_removed"}
SEPARATE_FIELDS = ("events", "history")
# Alexa user ids: amzn1.ask.account.<letters and digits>; kept a little wider on purpose.
USER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,511}")


def checked_user_id(user_id: str) -> str:
    """The id without surrounding spaces; a UsageError (exit 2) unless it looks like one."""
    trimmed = user_id.strip()
    if not USER_ID.fullmatch(trimmed):
        raise click.UsageError(
            "USER_ID must be an Alexa user id such as amzn1.ask.account.AEXAMPLE… "
            "(letters, digits, dots, dashes; no spaces or other characters)")
    return trimmed


def database_url_option(command: Command) -> Command:
    return click.option(
        "--database-url",
        help="sqlite:///PATH or postgresql://USER@HOST/DATABASE [env PORCHLIGHT_DATABASE_URL].",
    )(command)


@contextmanager
def opened_store(database_url: str | None, *, create: bool = False
                 ) -> Iterator[HouseholdStore]:
    """The store the option or the environment names; its errors as clear command errors.

    Only ``create`` (db upgrade) may create a SQLite file: reading or deleting from a
    database that is not there says so instead of leaving an empty one behind.
    """
    from skill.config import load_settings
    from skill.storage import NoDatabase, StoreError, open_store

    try:
        settings = load_settings({"database_url": database_url, "db_auto_upgrade": False})
        settings.database_url.encode("utf-8")
        store = open_store(settings.database_url, pool_size=settings.db_pool_size,
                           timeout=settings.db_timeout_ms / 1000, auto_upgrade=False,
                           create=create)
    except UnicodeEncodeError:
        raise click.UsageError("the database URL is not valid text (UTF-8)") from None
    except (ValueError, NoDatabase) as error:
        raise click.UsageError(str(error)) from None
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    try:
        yield store
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()


@click.group()
def db() -> None:
    """The household database."""


@db.command()
@database_url_option
def upgrade(database_url: str | None) -> None:
    """Create or migrate the schema. Run it once per release, before new servers start."""
    with opened_store(database_url, create=True) as store:
        before = store.schema_version()
        after = store.upgrade()
    change = "already current" if before == after else f"was {before}"
    click.echo(f"schema at version {after} ({change})")


@click.group()
def data() -> None:
    """One household's stored data, for access and erasure requests."""


@data.command("export")
@click.argument("user_id")
@database_url_option
def export_command(user_id: str, database_url: str | None) -> None:
    """Print everything stored about USER_ID's household (USER_ID: the Alexa user id) as JSON."""
    from skill.storage import household_key

    key = household_key(checked_user_id(user_id))
    with opened_store(database_url) as store:
        document = store.load(key)
    click.echo(json.dumps(export_document(key, document), indent=2, sort_keys=True))


@data.command("delete")
@click.argument("user_id")
@database_url_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_command(user_id: str, database_url: str | None, yes: bool) -> None:
    """Delete everything stored about USER_ID's household (USER_ID: the Alexa user id)."""
    from skill.storage import household_key

    key = household_key(checked_user_id(user_id))
    if not yes:
        click.confirm(f"Delete everything stored about household {key[:12]}?", abort=True)
    with opened_store(database_url) as store:
        existed = bool(store.load(key))
        store.delete(key)
    click.echo(f"deleted household {key[:12]}" if existed else "nothing was stored for that user")


def export_document(key: str, document: dict[str, Any]) -> dict[str, Any]:
    """A stored household in plain names: its settings, history, and each kind of record."""
    exported: dict[str, Any] = {
        "household": key,
        "settings": {k: v for k, v in document.items() if k not in SEPARATE_FIELDS},
        "history": list(document.get("history") or ()),
        **{name: [] for name in PLAIN_NAMES.values()},
    }
    for event in document.get("events") or ():
        kind = str(event.get("kind", "record"))
        name = PLAIN_NAMES.get(kind, kind.replace("-", "_") + "s")
        record = {**(event.get("data") or {}), "at": event.get("at"), "id": event.get("id")}
        exported.setdefault(name, []).append(record)
    return exported
