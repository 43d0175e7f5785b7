"""The entry types the pipeline knows: each domain declares its own (app/<domain>/entry_types.py) and
the application factory registers them, so the pipeline never imports a domain.

An entry type names its schema (shape only), the service that stores a run of its entries, the
times it carries (checked against the clock), whether what it changes goes out on the changes feed
(it then takes a change number), and how its audit row reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from marshmallow import Schema

from app.entries.outcomes import Entry, Outcome, Writer


@dataclass(frozen=True)
class EntryType:
    name: str
    schema: Schema
    store: Callable[[list[Entry], Writer], list[Outcome]]
    action: str  # the audit action, e.g. "person.create"
    target_type: str  # the audit target's type
    target_field: str | None = None  # the data field naming the record changed; None: the entry's own id
    time_fields: tuple[str, ...] = ()
    in_feed: bool = False


_TYPES: dict[str, EntryType] = {}
# Functions that re-point the references of a run of entries before it is stored (people: a merged
# person's id to the kept person's), registered by the factory like the entry types.
_FOLLOWERS: list[Callable[[list[Entry]], list[Entry]]] = []


def register(*entry_types: EntryType) -> None:
    """Make entry types known (again, idempotently: each app the factory makes registers them)."""
    for entry_type in entry_types:
        _TYPES[entry_type.name] = entry_type


def get(name: object) -> EntryType | None:
    return _TYPES.get(name) if isinstance(name, str) else None


def declared(name: str) -> EntryType:
    """A type the pipeline has already checked is registered (KeyError for any other)."""
    return _TYPES[name]


def names() -> tuple[str, ...]:
    return tuple(_TYPES)


def all_types() -> tuple[EntryType, ...]:
    return tuple(_TYPES.values())


def follow_references_with(*followers: Callable[[list[Entry]], list[Entry]]) -> None:
    """Make reference followers known (idempotently, like `register`)."""
    for follower in followers:
        if follower not in _FOLLOWERS:
            _FOLLOWERS.append(follower)


def follow_references(entries: list[Entry]) -> list[Entry]:
    """The entries with their references re-pointed where a follower says so (same order, same ids)."""
    for follower in _FOLLOWERS:
        entries = follower(entries)
    return entries
