"""create disclosures

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 12:41:48.938370

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('blobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('backend', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blobs')),
    sa.UniqueConstraint('key', name=op.f('uq_blobs_key')),
    sa.UniqueConstraint('sha256', name=op.f('uq_blobs_sha256'))
    )
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('ref', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='jobstate', native_enum=False, length=16), server_default='queued', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_state_run_after', ['state', 'run_after'], unique=False)

    op.create_table('records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('blob_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('disposition', sa.Enum('release', 'withhold', name='disposition', native_enum=False, length=16), server_default='release', nullable=False),
    sa.Column('exemption', sa.String(length=200), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['blob_id'], ['blobs.id'], name=op.f('fk_records_blob_id_blobs')),
    sa.ForeignKeyConstraint(['replaces_id'], ['records.id'], name=op.f('fk_records_replaces_id_records')),
    sa.ForeignKeyConstraint(['request_id'], ['record_requests.id'], name=op.f('fk_records_request_id_record_requests')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_records_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_records'))
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_records_blob_id'), ['blob_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_request_id'), ['request_id'], unique=False)

    op.create_table('releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('released_by_id', sa.Integer(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('row_order_free', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('content_marks', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_releases_released_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['record_requests.id'], name=op.f('fk_releases_request_id_record_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_releases'))
    )
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_releases_request_id'), ['request_id'], unique=False)

    op.create_table('grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('public_label', sa.String(length=64), nullable=True),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('copy_state', sa.Enum('pending', 'preparing', 'ready', 'failed', name='copystate', native_enum=False, length=16), server_default='pending', nullable=False),
    sa.Column('copy_key', sa.String(length=300), nullable=True),
    sa.Column('copy_sha256', sa.String(length=64), nullable=True),
    sa.Column('copy_size', sa.BigInteger(), nullable=True),
    sa.Column('copy_content_type', sa.String(length=100), nullable=True),
    sa.Column('copy_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_grants_recipient_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_grants_record_id_records')),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_grants_release_id_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants')),
    sa.UniqueConstraint('code', name=op.f('uq_grants_code'))
    )
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grants_copy_sha256'), ['copy_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_grants_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index('ix_grants_record_recipient', ['record_id', 'recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grants_release_id'), ['release_id'], unique=False)

    op.create_table('release_records',
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_release_records_record_id_records')),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_release_records_release_id_releases')),
    sa.PrimaryKeyConstraint('release_id', 'record_id', name=op.f('pk_release_records'))
    )
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=400), server_default='', nullable=False),
    sa.Column('copy_sha256', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('bytes_sent', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('completed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_deliveries_grant_id_grants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_grant_id'), ['grant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_grant_id'))

    op.drop_table('deliveries')
    op.drop_table('release_records')
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grants_release_id'))
        batch_op.drop_index('ix_grants_record_recipient')
        batch_op.drop_index(batch_op.f('ix_grants_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_grants_copy_sha256'))

    op.drop_table('grants')
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_releases_request_id'))

    op.drop_table('releases')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_request_id'))
        batch_op.drop_index(batch_op.f('ix_records_blob_id'))

    op.drop_table('records')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_state_run_after')

    op.drop_table('jobs')
    op.drop_table('blobs')
