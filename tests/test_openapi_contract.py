"""docs/api.md and the OpenAPI document say the same about the sync contract: every entry type the docs
list is in the spec's `SyncEntry` oneOf with the data fields the docs list, every entry type and field
the spec has is documented, and the changes feed's items are the record schemas.

Where docs/api.md lists an entry type's data fields (read here, in its two forms):
- the "Entry data" section (the contract): a paragraph "`person`: `display_name` (required; …),
  `given_name`, …." whose first sentence lists the fields, or "`encounter`:" followed by a
  `| field | rule |` table whose first column names them;
- every table with a `| type | data | … |` header (case management, the implementation's additions):
  one row per type, its fields named in the `data` cell.
A type documented in several places has the union of the fields listed for it. Words in parentheses
(`(a `needs` code)`, `(`set`, `in_progress`)`) describe a field and are not fields.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _is_table_row(line: str) -> bool:
    return line.lstrip().startswith("|")


def _is_rule_row(line: str) -> bool:
    return all(re.fullmatch(r":?-+:?", cell) for cell in _cells(line))


def _field_names(text: str) -> list[str]:
    """The backticked names of a field list: what is in parentheses left out, up to the end of the
    list's sentence ('.' or ':' outside backticks)."""
    while re.search(r"\([^()]*\)", text):
        text = re.sub(r"\([^()]*\)", "", text)
    outside = re.split(r"(`[^`]*`)", text)
    listed = []
    for piece in outside:
        if piece.startswith("`"):
            listed.append(piece.strip("`"))
        elif re.search(r"[.:](\s|$)", piece):
            break
    return [name for name in listed if NAME.match(name)]


def _table_after(lines: list[str], start: int) -> list[list[str]]:
    """The rows (cells) of the table starting at or after `start`, header and rule row left out."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    rows = []
    while index < len(lines) and _is_table_row(lines[index]):
        rows.append(_cells(lines[index]))
        index += 1
    return rows[2:]


def _entry_data_section(lines: list[str]) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.strip() == "### Entry data")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("#"))
    return lines[start + 1:end]


def documented_entry_fields(markdown: str) -> dict[str, set[str]]:
    """Entry type → the data fields docs/api.md lists for it."""
    lines = markdown.splitlines()
    documented: dict[str, set[str]] = {}

    section = _entry_data_section(lines)
    for index, line in enumerate(section):
        opening = re.match(r"^`([a-z_]+)`:\s*(.*)$", line)
        if not opening:
            continue
        entry_type, rest = opening.groups()
        paragraph = [rest]
        for following in section[index + 1:]:
            if not following.strip() or _is_table_row(following):
                break
            paragraph.append(following)
        fields = set(_field_names(" ".join(paragraph)))
        if not rest.strip():  # "`encounter`:" and then a | field | rule | table
            fields |= {row[0].strip("`") for row in _table_after(section, index + 1)}
        documented.setdefault(entry_type, set()).update(fields)

    for index, line in enumerate(lines):
        if not _is_table_row(line) or index + 1 >= len(lines) or not _is_rule_row(lines[index + 1]):
            continue
        header = [cell.lower() for cell in _cells(line)]
        if header[:2] != ["type", "data"]:
            continue
        for row in _table_after(lines, index):
            entry_type = row[0].strip("`")
            documented.setdefault(entry_type, set()).update(_field_names(row[1]))
    return documented


@pytest.fixture(scope="module")
def spec():
    """The document a client reads at /api/v1/openapi.json (no database is touched)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "openapi-contract", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "REDIS_URL": None, "VAPID_PRIVATE_KEY": None})
    return app.test_client().get("/api/v1/openapi.json").get_json()


@pytest.fixture(scope="module")
def documented():
    return documented_entry_fields(DOCS.read_text(encoding="utf-8"))


def _schema(spec: dict, ref: dict) -> dict:
    return spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def spec_entry_fields(spec: dict) -> dict[str, set[str]]:
    """Entry type → its data fields, read from the oneOf that documents /sync's entries."""
    body = spec["paths"]["/api/v1/sync"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    entries = _schema(spec, body)["properties"]["entries"]["items"]
    found = {}
    for ref in _schema(spec, entries)["oneOf"]:
        envelope = _schema(spec, ref)
        [entry_type] = envelope["properties"]["type"]["enum"]
        found[entry_type] = set(_schema(spec, envelope["properties"]["data"])["properties"])
    return found


def test_the_docs_entry_tables_are_read(documented):
    """A guard on the reader itself: the contract's own lists come out as written."""
    assert documented["person"] >= {"display_name", "given_name", "consent_recorded_at"}
    assert documented["encounter"] >= {"kind", "occurred_at", "location", "notes"}
    assert documented["referral_update"] >= {"referral_id", "status", "note", "base_version"}
    assert "needs" not in documented["referral"] and "set" not in documented["case_goal"]


def test_every_documented_entry_type_is_in_the_openapi_oneof(spec, documented):
    missing = sorted(set(documented) - set(spec_entry_fields(spec)))
    assert not missing, (f"docs/api.md documents entry types {missing} that /api/v1/openapi.json's SyncEntry "
                         "oneOf lacks: register them, or take them out of the docs.")


def test_every_entry_type_in_the_openapi_oneof_is_documented(spec, documented):
    undocumented = sorted(set(spec_entry_fields(spec)) - set(documented))
    assert not undocumented, (f"/api/v1/openapi.json has entry types {undocumented} that docs/api.md does not "
                              "document: add them to a `| type | data |` table.")


def test_each_entry_types_documented_fields_are_its_fields_in_the_spec(spec, documented):
    in_spec = spec_entry_fields(spec)
    problems = []
    for entry_type in sorted(set(documented) & set(in_spec)):
        only_docs = sorted(documented[entry_type] - in_spec[entry_type])
        only_spec = sorted(in_spec[entry_type] - documented[entry_type])
        if only_docs:
            problems.append(f"`{entry_type}`: docs/api.md lists {only_docs}, the spec has no such data fields")
        if only_spec:
            problems.append(f"`{entry_type}`: the spec has data fields {only_spec} that docs/api.md does not list")
    assert not problems, "docs/api.md and the OpenAPI entry schemas disagree:\n" + "\n".join(problems)


def test_the_oneof_is_chosen_by_type_and_each_envelope_is_id_type_data(spec):
    sync_entry = spec["components"]["schemas"]["SyncEntry"]
    mapping = sync_entry["discriminator"]["mapping"]
    assert sync_entry["discriminator"]["propertyName"] == "type"
    assert sorted(mapping.values()) == sorted(ref["$ref"] for ref in sync_entry["oneOf"])
    for entry_type, ref in mapping.items():
        envelope = _schema(spec, {"$ref": ref})
        assert envelope["required"] == ["id", "type", "data"]
        assert envelope["properties"]["type"]["enum"] == [entry_type]
        assert envelope["properties"]["id"]["format"] == "uuid"


def test_the_changes_feed_items_are_the_record_schemas(spec):
    answer = spec["paths"]["/api/v1/sync/changes"]["get"]["responses"]["200"]["content"]["application/json"]
    feed = _schema(spec, answer["schema"])["properties"]
    assert feed["persons"]["items"] == {"$ref": "#/components/schemas/Person"}
    assert feed["referrals"]["items"] == {"$ref": "#/components/schemas/Referral"}
    assert feed["cases"]["items"] == {"$ref": "#/components/schemas/Case"}
