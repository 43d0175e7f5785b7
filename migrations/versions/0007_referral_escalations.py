"""Referral deadlines: referrals remember how far an overdue one was escalated; two more alert kinds.

Revision ID: 0007_referral_escalations
Revises: 0006_admin_directory
Create Date: 2026-11-29 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_referral_escalations'
down_revision = '0006_admin_directory'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('referral.created', 'referral.updated')"
NEW_KINDS = "kind IN ('referral.created', 'referral.updated', 'referral.overdue', 'referral.escalated')"


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_step', sa.SmallInteger(), nullable=False, server_default='0'))
    with op.batch_alter_table('pending_alerts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pending_alerts_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_pending_alerts_kind'), sa.text(NEW_KINDS))


def downgrade():
    op.execute("DELETE FROM push_deliveries WHERE alert_id IN (SELECT id FROM pending_alerts "
               "WHERE kind IN ('referral.overdue', 'referral.escalated'))")
    op.execute("DELETE FROM pending_alerts WHERE kind IN ('referral.overdue', 'referral.escalated')")
    with op.batch_alter_table('pending_alerts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pending_alerts_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_pending_alerts_kind'), sa.text(OLD_KINDS))
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('escalation_step')
