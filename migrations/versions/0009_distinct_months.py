"""Distinct counts for the published figures over any period: distinct_months and distinct_month_pairs
(app/stats/distinct.py), filled from the records; an index for calls by number and one for referrals
completed in a period.

Revision ID: 0009_distinct_months
Revises: 0008_situation_tables
Create Date: 2026-11-30 00:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_distinct_months'
down_revision = '0008_situation_tables'
branch_labels = None
depends_on = None

MEASURES = "measure IN ('people_engaged', 'case_intakes', 'calls_for_service')"


def upgrade():
    op.create_table(
        'distinct_months',
        sa.Column('measure', sa.String(length=20), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('scope', sa.String(length=30), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('previous', sa.Date(), nullable=True),
        sa.Column('next', sa.Date(), nullable=True),
        sa.CheckConstraint(MEASURES, name=op.f('ck_distinct_months_measure')),
        sa.PrimaryKeyConstraint('measure', 'month', 'scope', 'subject', name=op.f('pk_distinct_months')),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_distinct_months_subject', 'distinct_months', ['measure', 'subject'], unique=False)
    op.create_table(
        'distinct_month_pairs',
        sa.Column('measure', sa.String(length=20), nullable=False),
        sa.Column('scope', sa.String(length=30), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('previous', sa.Date(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.CheckConstraint(MEASURES, name=op.f('ck_distinct_month_pairs_measure')),
        sa.PrimaryKeyConstraint('measure', 'scope', 'month', 'previous', name=op.f('pk_distinct_month_pairs')),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_encounters_call_number', 'encounters', ['call_number'], unique=False)
    op.create_index('ix_referral_events_to_status_at', 'referral_events', ['to_status', 'at'], unique=False)
    # Fill the tables from the records already stored, with the code that keeps them in step (it reads
    # only the encounters', cases' and teams' columns it names, so later columns do not disturb it).
    from sqlalchemy.orm import Session

    from app.stats import distinct
    session = Session(bind=op.get_bind())
    distinct.rebuild(session)
    session.flush()


def downgrade():
    op.drop_index('ix_referral_events_to_status_at', table_name='referral_events')
    op.drop_index('ix_encounters_call_number', table_name='encounters')
    op.drop_table('distinct_month_pairs')
    op.drop_index('ix_distinct_months_subject', table_name='distinct_months')
    op.drop_table('distinct_months')
