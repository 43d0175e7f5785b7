"""An entry schema's load, without marshmallow's per-field bookkeeping when the entry is valid.

`Schema.load` wraps every field in a getter closure, an error store and a dotted-key setter: for the
13 fields of an encounter that bookkeeping cost as much as the fields' own checks. `load(schema, data)`
runs the same steps for data that passes: each load field's own `deserialize` (its type check,
validators, required and load_default), an unknown key refused, then the schema's validators, and
gives the same dict in the same order. When anything fails it returns `schema.load(data)`, so a bad
entry gets marshmallow's own messages (and a result or error from marshmallow's own code path).

Schemas with features the short road does not follow (pre/post-load hooks, field validators, many,
partial, unknown other than RAISE, dotted attributes, validators taking the original data or the
collection) always take `schema.load`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, missing
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.fields import Field


@dataclass(frozen=True)
class _Plan:
    fields: tuple[tuple[str, str, Field], ...]  # (data key, result key, field) in load order
    known: frozenset[str]
    validators: tuple[Callable[..., Any], ...]


_plans: dict[int, tuple[Schema, _Plan | None]] = {}


def load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """`schema.load(data)`; raises its ValidationError with its messages."""
    plan = _plan(schema)
    if plan is not None and type(data) is dict and data.keys() <= plan.known:
        out: dict[str, Any] = {}
        try:
            for name, key, field in plan.fields:
                value = field.deserialize(data.get(name, missing), name, data)
                if value is not missing:
                    out[key] = value
            for validator in plan.validators:
                validator(out, partial=None, many=False, unknown=RAISE)
        except ValidationError:
            pass  # marshmallow's own load gives the messages
        else:
            return out
    return schema.load(data)


def _plan(schema: Schema) -> _Plan | None:
    cached = _plans.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    plan = _build(schema)
    _plans[id(schema)] = (schema, plan)
    return plan


def _build(schema: Schema) -> _Plan | None:
    hooks = schema._hooks  # noqa: SLF001  (marshmallow's registry of decorated methods)
    if schema.many or schema.partial is not None or schema.unknown != RAISE:
        return None
    if hooks[PRE_LOAD] or hooks[POST_LOAD] or hooks[VALIDATES]:
        return None
    validators = []
    for attr_name, hook_many, kwargs in hooks[VALIDATES_SCHEMA]:
        if hook_many or kwargs.get("pass_original", False):
            return None
        validators.append(getattr(schema, attr_name))
    fields = []
    for attr_name, field in schema.load_fields.items():
        name = field.data_key if field.data_key is not None else attr_name
        key = field.attribute or attr_name
        if "." in key:
            return None
        fields.append((name, key, field))
    return _Plan(fields=tuple(fields), known=frozenset(name for name, _key, _field in fields),
                 validators=tuple(validators))
