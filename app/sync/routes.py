"""POST /sync (queued entries in) and GET /sync/changes (what the phone needs offline)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from app.audit.services import record
from app.auth.guard import current_user, signed_in
from app.auth.policy import can_log_entries
from app.entries.pipeline import ingest_batch
from app.errors import ApiError, ErrorSchema
from app.records import utcnow
from app.rest import ApiBlueprint
from app.sync import changes as feed
from app.sync.schemas import MAX_ENTRIES, ChangesQuerySchema, ChangesSchema, SyncRequestSchema, SyncResponseSchema

blp = ApiBlueprint("sync", __name__, url_prefix="/sync", description="Offline sync")

# The lists of the changes feed that hold personal information: their ids go into the audit row.
FEED_RECORDS = ("persons", "referrals", "cases")


@blp.route("", methods=["POST"])
@signed_in(can_log_entries)
@blp.arguments(SyncRequestSchema)
@blp.response(200, SyncResponseSchema)
@blp.alt_response(413, schema=ErrorSchema, description="too_large: more than 500 entries or 2 MB")
def sync(batch):
    """Upload queued entries in the order they were made; one result per entry, same order."""
    if len(batch["entries"]) > MAX_ENTRIES:
        raise ApiError(413, "too_large", f"Send at most {MAX_ENTRIES} entries per batch; the rest can follow.")
    results = ingest_batch(current_user(), batch["device_id"], batch["entries"])
    tally: dict[str, Any] = {}  # audit detail: count per status
    for result in results:
        tally[result["status"]] = tally.get(result["status"], 0) + 1
    record("sync.batch", target_type="device", target_id=batch["device_id"][:64], **tally)
    # The body SyncResponseSchema documents, written out here: dumping 500 results through the nested
    # schemas cost as much as storing them. _dumped gives what the schema's dump gives.
    return jsonify({"results": [_dumped(result) for result in results], "server_time": utcnow().isoformat()})


def _dumped(result: dict[str, Any]) -> dict[str, Any]:
    """One result as EntryResultSchema dumps it: the id as sent, the status, the error's code, message
    and fields (texts), the stored record (conflict)."""
    out: dict[str, Any] = {"id": result["id"], "status": _text(result["status"])}
    error = result.get("error")
    if error is not None:
        dumped: dict[str, Any] = {name: _text(error[name]) for name in ("code", "message") if name in error}
        if "fields" in error:
            fields = error["fields"]
            dumped["fields"] = None if fields is None else {_text(k): [_text(m) for m in v] for k, v in fields.items()}
        out["error"] = dumped
    if "current" in result:
        current = result["current"]
        out["current"] = None if current is None else dict(current)
    return out


@blp.route("/changes")
@signed_in()
@blp.arguments(ChangesQuerySchema, location="query")
@blp.response(200, ChangesSchema)
def sync_changes(args):
    """What changed since the cursor among the records the caller may see (no cursor: everything).

    Audited: one row per page that holds people, referrals or cases, with their ids by type. A page
    with none (the phone polling with nothing new) reads nothing personal and leaves no row.
    """
    body = feed.changes(current_user(), args.get("since"), args["limit"])
    returned: dict[str, Any] = {kind: [str(item["id"]) for item in body[kind]] for kind in FEED_RECORDS if body[kind]}
    if returned:
        record("sync.changes", since=args.get("since"), cursor=body["cursor"], **returned)
    return body


def _text(value: Any) -> str | None:
    return None if value is None else str(value)  # marshmallow's String field, dumping
