"""create bundles and attribution batches: one recipient's ZIP of a whole release, deliveries
sent in one, and a ZIP of found files attributed by the worker

Revision ID: 0012_bulk25
Revises: 0011
Create Date: 2026-12-07 23:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0012_bulk25'
down_revision = '0012_audit21b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bundles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum('preparing', 'ready', 'stopped', 'failed', name='bundlestate',
                                   native_enum=False, create_constraint=False, length=16),
                  server_default='preparing', nullable=False),
        sa.Column('done', sa.Integer(), server_default='0', nullable=False),
        sa.Column('total', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_bundles_recipient_id_users')),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_bundles_release_id_releases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bundles')),
    )
    op.create_index('ix_bundles_release_recipient', 'bundles', ['release_id', 'recipient_id'], unique=False)
    op.create_table(
        'attribution_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.Enum('running', 'done', 'failed', name='batchstatus', native_enum=False,
                                    create_constraint=False, length=16), server_default='running', nullable=False),
        sa.Column('filename', sa.String(length=255), server_default='', nullable=False),
        sa.Column('archive_key', sa.String(length=300), nullable=True),
        sa.Column('total', sa.Integer(), server_default='0', nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_attribution_batches_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attribution_batches')),
    )
    op.create_table(
        'attribution_batch_files',
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=1000), nullable=False),
        sa.Column('attribution_id', sa.Integer(), nullable=True),
        sa.Column('exact', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('result', sa.Text(), server_default='{}', nullable=False),
        sa.ForeignKeyConstraint(['attribution_id'], ['attributions.id'],
                                name=op.f('fk_attribution_batch_files_attribution_id_attributions')),
        sa.ForeignKeyConstraint(['batch_id'], ['attribution_batches.id'],
                                name=op.f('fk_attribution_batch_files_batch_id_attribution_batches')),
        sa.PrimaryKeyConstraint('batch_id', 'position', name=op.f('pk_attribution_batch_files')),
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bundle_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_deliveries_bundle_id'), ['bundle_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_deliveries_bundle_id_bundles'), 'bundles', ['bundle_id'], ['id'])


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deliveries_bundle_id_bundles'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_deliveries_bundle_id'))
        batch_op.drop_column('bundle_id')
    op.drop_table('attribution_batch_files')
    op.drop_table('attribution_batches')
    op.drop_index('ix_bundles_release_recipient', table_name='bundles')
    op.drop_table('bundles')
