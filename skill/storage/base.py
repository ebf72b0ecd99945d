"""The household store behind the ASK SDK's persistence-adapter interface.

A store keeps, per household key, one state document and an append-only list of
events. ``save`` replaces the document and adds events it has not seen; it never
removes an event, so a withdrawal recorded by one request survives a later save
from another request that loaded the household before it.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

from skill import jsonio

EVENTS = "events"


class StoreError(PersistenceException):  # type: ignore[misc]
    """Any failure of the backing database, as one exception type."""


class NoDatabase(StoreError):
    """The database a command names does not exist (and must not be created by reading)."""


def document_json(attributes: dict[str, Any]) -> str:
    """The household document a save replaces: every attribute but the events, as JSON."""
    document = {name: value for name, value in attributes.items() if name != EVENTS}
    return jsonio.dumps(document, sort_keys=True).decode()


def event_rows(attributes: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The events a save appends, once each: event id -> (time, JSON body)."""
    rows: dict[str, tuple[str, str]] = {}
    for event in attributes.get(EVENTS) or ():
        body = jsonio.dumps(event, sort_keys=True).decode()
        rows.setdefault(str(event["id"]), (str(event["at"]), body))
    return rows


class StoredAttributes(dict[str, Any]):
    """What ``load`` returns: the attributes, and ``source``, the stored text they were
    read from (the document, then each event body). Equal sources mean equal attributes,
    so a reader can recognise a household it has decoded before without comparing them
    (``skill.handlers.stored``)."""

    __slots__ = ("source",)

    def __init__(self, attributes: dict[str, Any], source: tuple[str, ...]) -> None:
        super().__init__(attributes)
        self.source = source


def stored_attributes(document: str | None, events: list[str]) -> StoredAttributes:
    """What ``load`` returns from a stored document and event bodies (in time order)."""
    attributes: dict[str, Any] = jsonio.loads(document) if document else {}
    if events:
        attributes[EVENTS] = [jsonio.loads(body) for body in events]
    return StoredAttributes(attributes, (document or "", *events))


def user_id_of(request_envelope: Any) -> str | None:
    """The Alexa user id from the envelope's context, or from its session."""
    for holder in (
        getattr(getattr(request_envelope, "context", None), "system", None),
        getattr(request_envelope, "session", None),
    ):
        user_id = getattr(getattr(holder, "user", None), "user_id", None)
        if user_id:
            return str(user_id)
    return None


def household_key(user_id: str) -> str:
    """The key a household is stored under: SHA-256 of the Alexa user id, never the id."""
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()


def household_key_of(request_envelope: Any) -> str:
    """The household key for a request; requests without a user cannot keep state."""
    user_id = user_id_of(request_envelope)
    if not user_id:
        raise StoreError("the request names no Alexa user")
    return household_key(user_id)


def schema_problem(found: int, expected: int) -> str | None:
    """What the operator must do when the database is not at the schema this code expects."""
    if found > expected:
        return (f"the database is at schema {found}, newer than this Porch Light knows "
                f"({expected}); upgrade Porch Light")
    if found < expected:
        return (f"the database is at schema {found}, this Porch Light needs {expected}; "
                "run `porchlight db upgrade`")
    return None


class HouseholdStore(AbstractPersistenceAdapter, ABC):  # type: ignore[misc]
    """A persistence adapter keyed by household; subclasses only say how to store."""

    @abstractmethod
    def load(self, key: str) -> dict[str, Any]:
        """The household's document with its events under ``"events"``; {} when new. The
        stores here return ``StoredAttributes``, which lets a household be decoded once."""

    @abstractmethod
    def save(self, key: str, attributes: dict[str, Any]) -> None:
        """Replace the document and append any events not stored yet."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove everything kept about the household."""

    @abstractmethod
    def check(self) -> None:
        """Raise StoreError when the store cannot serve requests (down, or schema not current)."""

    @abstractmethod
    def schema_version(self) -> int:
        """The schema version the database is at (0 before the first upgrade)."""

    @abstractmethod
    def upgrade(self) -> int:
        """Create or migrate the schema; returns the resulting version."""

    def close(self) -> None:
        """Release connections; the store may not be used afterwards."""

    def get_attributes(self, request_envelope: Any) -> dict[str, Any]:
        return self.load(household_key_of(request_envelope))

    def save_attributes(self, request_envelope: Any, attributes: dict[str, Any]) -> None:
        self.save(household_key_of(request_envelope), attributes)

    def delete_attributes(self, request_envelope: Any) -> None:
        self.delete(household_key_of(request_envelope))
