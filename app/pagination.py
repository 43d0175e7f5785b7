"""One page of a query: the {"items", "page", "pages", "total"} body of every paginated list."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa

from app.extensions import db


def paginate(statement: sa.Select, page: int, per_page: int) -> dict[str, Any]:
    """Count the whole query once, then fetch one page of it in the statement's order."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())) or 0
    items = list(db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    return {"items": items, "page": page, "pages": max(1, math.ceil(total / per_page)), "total": total}
