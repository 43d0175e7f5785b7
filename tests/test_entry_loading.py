"""app/entries/loading.load gives exactly what the entry type's schema.load gives: the same dict (same
keys, order and values) for data that passes, the same ValidationError messages for data that fails."""

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from app import create_app
from app.entries import loading, registry

create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "APP_ENV": "test"})  # registers the types
TYPES = registry.names()

plain = (st.none() | st.booleans() | st.integers(-5, 5000) | st.floats(-200, 200) | st.text(max_size=6)
         | st.sampled_from(["2026-11-01T08:00:00-07:00", "2026-11-01T15:00:00Z", "2026-11-01", "1899-12-31T00:00:00Z",
                            "interaction", "primary_response", "shelter_check_in", "housing", "food", "urgent",
                            "EPS26-123456", str(uuid.UUID(int=7)), "accepted", "open", "closed", ""]))
values = st.recursive(plain, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["lat", "lon", "accuracy_m", "x"]), inner, max_size=4),
                      max_leaves=6)


def _outcome(load, schema, data):
    try:
        return "ok", load(schema, data)
    except ValidationError as error:
        return "error", error.messages


def _both(entry_type, data):
    schema = registry.get(entry_type).schema
    fast = _outcome(loading.load, schema, data)
    slow = _outcome(lambda s, d: s.load(d), schema, data)
    assert fast == slow
    if fast[0] == "ok":
        assert list(fast[1]) == list(slow[1])  # key order too


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TYPES), st.data())
def test_the_short_road_loads_as_the_schema_does(entry_type, data):
    schema = registry.get(entry_type).schema
    names = sorted(field.data_key or name for name, field in schema.load_fields.items())
    keys = st.sampled_from(names + ["unknown_field"])
    _both(entry_type, data.draw(st.dictionaries(keys, values, max_size=len(names) + 1)))


@pytest.mark.parametrize("data", [
    {"kind": "interaction", "occurred_at": "2026-11-01T08:00:00-07:00", "needs": ["food", "housing"],
     "outcome": ["info_provided"], "duration_minutes": 20, "notes": "Checked in."},
    {"kind": "primary_response", "occurred_at": "2026-11-01T08:00:00-07:00", "call_number": "EPS26-1"},
    {"kind": "primary_response", "occurred_at": "2026-11-01T08:00:00-07:00"},
    {"kind": "shelter_check_in", "occurred_at": "2026-11-01T08:00:00Z", "site_id": 3,
     "location": {"lat": 53.5, "lon": -113.5, "accuracy_m": 12}},
    {"kind": "interaction", "occurred_at": "2026-11-01T08:00:00Z", "needs": ["food", "food"]},
    {"kind": "interaction", "occurred_at": "2026-11-01T08:00:00Z", "location": {"lat": 91, "lon": 0}},
    {"kind": "interaction", "occurred_at": "2026-11-01T08:00:00", "extra": 1},
])
def test_encounters_valid_and_not(data):
    _both("encounter", data)
