"""referrals.completed_on: the local day of a referral's move to completed, for the published figures
(counted per team from an index, not by joining every move to its referral).

Revision ID: 0011_referral_completed_on
Revises: 0010_situation_case
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_referral_completed_on'
down_revision = '0010_situation_case'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_referrals_completed_on_team', ['completed_on', 'team_id'], unique=False)
    backfill_completed_on(op.get_bind())


def backfill_completed_on(bind) -> int:
    """Set completed_on from the referrals' moves to completed already stored (the service's local day of
    the move, as app/referrals/services.py sets it from now on); returns the referrals set."""
    from app.records import UtcDateTime, local_day

    events = sa.table('referral_events', sa.column('referral_id', sa.Uuid(as_uuid=False)), sa.column('to_status', sa.String),
                      sa.column('at', UtcDateTime()))
    referrals = sa.table('referrals', sa.column('id', sa.Uuid(as_uuid=False)), sa.column('completed_on', sa.Date))
    moves = bind.execute(sa.select(events.c.referral_id, sa.func.min(events.c.at))
                         .where(events.c.to_status == 'completed').group_by(events.c.referral_id))
    rows = [{'key': str(referral_id), 'day': local_day(at)} for referral_id, at in moves]
    for start in range(0, len(rows), 10_000):
        bind.execute(sa.update(referrals).where(referrals.c.id == sa.bindparam('key'))
                     .values(completed_on=sa.bindparam('day')), rows[start:start + 10_000])
    return len(rows)


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_completed_on_team')
        batch_op.drop_column('completed_on')
