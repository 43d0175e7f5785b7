"""The daily rollup: what supervisors count, per local day and measure, kept in step on write.

Two grains, because the reads differ: the unit's and a team's days come from `daily_team_counts`
(a year is at most days x measures x teams rows), one person's days from `daily_author_counts`
(clustered by author). SQLite stores both WITHOUT ROWID, so a range read walks one B-tree in key order.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.records import enum_check
from app.vocabulary import ENCOUNTER_KINDS

# The five encounter kinds, then the follow-ups, each counted on its own day.
MEASURES = (*ENCOUNTER_KINDS, "referrals_made", "referrals_accepted", "case_intakes")

# Records written by someone without a team (a supervisor) are counted under team_key 0:
# a NULL in a primary key would never conflict, so upserts would add rows instead of counting.
NO_TEAM = 0


class DailyTeamCount(Model):
    """Derived data, always equal to counting the records themselves (see app.stats.rollup).

    encounters by occurred_on and kind; referrals by made_on (referrals_made) and by accepted_on
    (referrals_accepted); cases by opened_on (case_intakes). Those records are never deleted and
    those days never change once set, so the counts only grow, in the transaction that writes them.
    """

    __tablename__ = "daily_team_counts"
    __table_args__ = (enum_check("measure", "measure", MEASURES), {"sqlite_with_rowid": False})

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    measure: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    team_key: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    total: Mapped[int] = mapped_column(sa.Integer, nullable=False)


class DailyAuthorCount(Model):
    """The same counts per author (and the author's team at the time), for the user filter."""

    __tablename__ = "daily_author_counts"
    __table_args__ = (enum_check("measure", "measure", MEASURES), {"sqlite_with_rowid": False})

    author_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    measure: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    team_key: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    total: Mapped[int] = mapped_column(sa.Integer, nullable=False)


# Sorts before every real month: "no month before this one" in a primary key (which cannot hold NULL).
NO_MONTH = date(1900, 1, 1)
DISTINCT_MEASURES = ("people_engaged", "case_intakes", "calls_for_service")


class DistinctMonth(Model):
    """Derived data for the distinct counts (app/stats/distinct.py): one row per subject (a person, or a
    call number), measure, scope and calendar month in which the subject counted at least once.

    scope: "*" the unit, "t<team_key>" a team, "g<group>" a group ("g" alone: no group). `previous` and
    `next` are the subject's months before and after this one in the same measure and scope.
    """

    __tablename__ = "distinct_months"
    __table_args__ = (enum_check("measure", "measure", DISTINCT_MEASURES),
                      sa.Index("ix_distinct_months_subject", "measure", "subject"),
                      {"sqlite_with_rowid": False})

    measure: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    previous: Mapped[date | None] = mapped_column(sa.Date)
    next: Mapped[date | None] = mapped_column(sa.Date)


class DistinctMonthPair(Model):
    """How many rows of distinct_months have this (measure, scope, month, previous): the subjects met
    in months [a, b] are the rows with a <= month <= b and previous < a, so a five-year count reads
    at most a few thousand of these rows per scope, never the subjects themselves."""

    __tablename__ = "distinct_month_pairs"
    __table_args__ = (enum_check("measure", "measure", DISTINCT_MEASURES), {"sqlite_with_rowid": False})

    measure: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    previous: Mapped[date] = mapped_column(sa.Date, primary_key=True)  # NO_MONTH: none before
    total: Mapped[int] = mapped_column(sa.Integer, nullable=False)
