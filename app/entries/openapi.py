"""The sync entries in the OpenAPI document: one envelope per registered entry type, and `SyncEntry`,
a oneOf of them chosen by `type`. Built from the registry, so a new entry type is documented as soon
as its domain declares it.

Documentation only: the pipeline checks each entry by hand (envelope) and by its type's schema (data),
one by one, so a bad entry is rejected alone rather than failing the batch.
"""

from __future__ import annotations

from apispec import APISpec

from app.entries import registry

SYNC_ENTRY = "SyncEntry"


def component_name(entry_type_name: str) -> str:
    """`referral_update` → `ReferralUpdateEntry` (its data: `ReferralUpdateEntryData`)."""
    return "".join(part.capitalize() for part in entry_type_name.split("_")) + "Entry"


def document_entry_types(spec: APISpec) -> None:
    """Register every entry type's envelope and data schema, then `SyncEntry`.

    Called before the blueprints are documented, so each data schema keeps the name given here
    wherever else it is used.
    """
    mapping = {}
    for entry_type in registry.all_types():
        name = component_name(entry_type.name)
        spec.components.schema(name + "Data", schema=entry_type.schema)
        spec.components.schema(name, {
            "type": "object",
            "description": f"A `{entry_type.name}` entry, as queued on the phone.",
            "required": ["id", "type", "data"],
            "properties": {
                "id": {"type": "string", "format": "uuid",
                       "description": "made on the phone; the idempotency key"},
                "type": {"type": "string", "enum": [entry_type.name]},
                "data": spec.components.get_ref("schema", name + "Data"),
            },
            "additionalProperties": False,
        })
        mapping[entry_type.name] = spec.components.get_ref("schema", name)["$ref"]
    spec.components.schema(SYNC_ENTRY, {
        "description": "One queued entry; `type` says which. Each entry is checked on its own: a bad one "
                       "is answered `rejected` in its result, the others are stored.",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    })
