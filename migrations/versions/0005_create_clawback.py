"""create clawback

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 12:47:15.895668

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('exact', sa.Boolean(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_attributions_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attributions'))
    )
    with op.batch_alter_table('attributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attributions_sha256'), ['sha256'], unique=False)

    op.create_table('clawbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('respond_by', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_grants', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_clawbacks_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clawbacks'))
    )
    op.create_table('clawback_files',
    sa.Column('clawback_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['clawback_id'], ['clawbacks.id'], name=op.f('fk_clawback_files_clawback_id_clawbacks')),
    sa.PrimaryKeyConstraint('clawback_id', 'sha256', name=op.f('pk_clawback_files'))
    )
    op.create_table('clawback_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clawback_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('sent', 'acknowledged', 'certified_deleted', 'contested', name='noticestatus', native_enum=False, length=24), server_default='sent', nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('statement', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clawback_id'], ['clawbacks.id'], name=op.f('fk_clawback_notices_clawback_id_clawbacks')),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_clawback_notices_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clawback_notices')),
    sa.UniqueConstraint('clawback_id', 'recipient_id', name='uq_clawback_notices_pair')
    )
    with op.batch_alter_table('clawback_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clawback_notices_clawback_id'), ['clawback_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clawback_notices_recipient_id'), ['recipient_id'], unique=False)



def downgrade():
    with op.batch_alter_table('clawback_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clawback_notices_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_clawback_notices_clawback_id'))

    op.drop_table('clawback_notices')
    op.drop_table('clawback_files')
    op.drop_table('clawbacks')
    with op.batch_alter_table('attributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attributions_sha256'))

    op.drop_table('attributions')
