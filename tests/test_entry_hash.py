"""The entry fingerprint the pipeline takes (validated_hash) is the one it always took:
content_hash of the normalised data, byte for byte, so stored hashes keep matching replays."""

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from app.records import content_hash, normalised, validated_hash

instants = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30),
                        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7)),
                                                   timezone(timedelta(hours=5, minutes=30)), None]))
leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | instants | st.dates()
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


@given(st.dictionaries(st.text(max_size=12), values, max_size=8))
def test_validated_hash_is_content_hash_of_the_normalised_data(data):
    assert validated_hash("encounter", data) == content_hash("encounter", normalised(data))


def test_the_same_instant_with_another_offset_is_the_same_content():
    utc = {"occurred_at": datetime(2026, 11, 1, 15, 0, tzinfo=UTC), "day": date(2026, 11, 1),
           "location": {"lat": 53.5, "lon": -113.5}, "needs": ["food", "housing"]}
    local = {**utc, "occurred_at": datetime(2026, 11, 1, 8, 0, tzinfo=timezone(timedelta(hours=-7)))}
    assert validated_hash("encounter", utc) == validated_hash("encounter", local)
    assert validated_hash("encounter", utc) != validated_hash("encounter", {**utc, "needs": ["food"]})
    assert validated_hash("encounter", utc) != validated_hash("referral", utc)
