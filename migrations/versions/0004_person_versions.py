"""Persons stay true: version, aliases and merged_into on persons, their change history
(person_changes), a longer search text for aliases, and a real change number for every record the
changes feed carries that was bulk-loaded with 0 (the demo history), so phones receive it.

Revision ID: 0004_person_versions
Revises: 0003_encounter_corrections
Create Date: 2026-11-29 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_person_versions'
down_revision = '0003_encounter_corrections'
branch_labels = None
depends_on = None

# Records at change number 0 get numbers in groups this size, so a phone's changes pages stay small.
_ROWS_PER_CHANGE = 200
_FEED_TABLES = ('persons', 'referrals', 'cases')


def upgrade():
    op.create_table('person_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('entry_hash', sa.String(length=64), nullable=True),
    sa.Column('person_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_person_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_changes_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_changes')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_person_changes_entry_id')),
    sa.UniqueConstraint('person_id', 'version', name='uq_person_changes_person_version')
    )
    with op.batch_alter_table('person_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_changes_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('merged_into', sa.Uuid(as_uuid=False), nullable=True))
        batch_op.alter_column('search_text', existing_type=sa.String(length=400), type_=sa.String(length=1400),
                              existing_nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_persons_merged_into_persons'), 'persons', ['merged_into'], ['id'])

    _number_unnumbered_records()


def _number_unnumbered_records():
    """Records at change_seq 0 were never sent to a phone holding a cursor: give them numbers above
    the clock's head (in groups), and move the clock past them, so every phone receives them next."""
    bind = op.get_bind()
    head = bind.execute(sa.text('SELECT value FROM change_clock WHERE id = 1')).scalar()
    if head is None:
        bind.execute(sa.text('INSERT INTO change_clock (id, value) VALUES (1, 0)'))
        head = 0
    next_seq = head
    for table in _FEED_TABLES:
        ids = [row[0] for row in bind.execute(sa.text(f'SELECT id FROM {table} WHERE change_seq = 0 ORDER BY id'))]
        for start in range(0, len(ids), _ROWS_PER_CHANGE):
            next_seq += 1
            statement = sa.text(f'UPDATE {table} SET change_seq = :seq WHERE id IN :ids').bindparams(
                sa.bindparam('ids', expanding=True))
            bind.execute(statement, {'seq': next_seq, 'ids': ids[start:start + _ROWS_PER_CHANGE]})
    if next_seq != head:
        bind.execute(sa.text('UPDATE change_clock SET value = :value WHERE id = 1'), {'value': next_seq})


def downgrade():
    # The change numbers given to formerly unnumbered records stay: they are valid numbers.
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_persons_merged_into_persons'), type_='foreignkey')
        batch_op.alter_column('search_text', existing_type=sa.String(length=1400), type_=sa.String(length=400),
                              existing_nullable=False)
        batch_op.drop_column('merged_into')
        batch_op.drop_column('version')
        batch_op.drop_column('aliases')

    with op.batch_alter_table('person_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_changes_person_id'))

    op.drop_table('person_changes')
