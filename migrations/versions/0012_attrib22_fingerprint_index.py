"""fingerprint index of released originals, for choosing attribution candidates

Revision ID: 0012_attrib22
Revises: 0011
Create Date: 2026-12-07 23:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0012_attrib22'
down_revision = '0012_bulk25'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'fingerprinted_blobs',
        sa.Column('blob_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('keys', sa.Integer(), nullable=False),
        sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['blob_id'], ['blobs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('blob_id'),
    )
    op.create_table(
        'fingerprints',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('blob_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('page', sa.Integer(), nullable=False),
        sa.Column('key', sa.BigInteger(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['blob_id'], ['blobs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('fingerprints', schema=None) as batch_op:
        batch_op.create_index('ix_fingerprints_kind_key', ['kind', 'key'], unique=False)
        batch_op.create_index(batch_op.f('ix_fingerprints_blob_id'), ['blob_id'], unique=False)


def downgrade():
    with op.batch_alter_table('fingerprints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fingerprints_blob_id'))
        batch_op.drop_index('ix_fingerprints_kind_key')
    op.drop_table('fingerprints')
    op.drop_table('fingerprinted_blobs')
