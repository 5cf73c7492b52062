"""index grants by recipient in order

The files page reads a recipient's grants newest first on every visit. `(recipient_id,
granted_at, id)` gives them in that order from the index, without sorting; it replaces the index
of `recipient_id` alone, which it covers. On PostgreSQL the build blocks writes to `grants` while it
runs, longer the more grants there are: upgrade at a quiet time.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 12:00:00.000000

"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index('ix_grants_recipient_granted', ['recipient_id', 'granted_at', 'id'], unique=False)
        batch_op.drop_index('ix_grants_recipient_id')


def downgrade():
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index('ix_grants_recipient_id', ['recipient_id'], unique=False)
        batch_op.drop_index('ix_grants_recipient_granted')
