"""add request groups, followers, requester attachments, digest markers and blob scan status

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-28 15:10:26.618090

Blobs stored before scanning existed get scan_status 'not_scanned' (they were released unscanned);
new uploads start 'pending' (set by the code) and stay in quarantine until scanned.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('digests_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref', sa.Integer(), server_default='0', nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('mail_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mail_id'], ['outgoing_mail.id'], name=op.f('fk_digests_sent_mail_id_outgoing_mail')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digests_sent_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digests_sent')),
    sa.UniqueConstraint('user_id', 'kind', 'ref', 'day', name='uq_digests_sent_key')
    )
    with op.batch_alter_table('digests_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digests_sent_user_id'), ['user_id'], unique=False)

    op.create_table('request_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_request_groups_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_groups'))
    )
    op.create_table('request_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('blob_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['blob_id'], ['blobs.id'], name=op.f('fk_request_attachments_blob_id_blobs')),
    sa.ForeignKeyConstraint(['request_id'], ['record_requests.id'], name=op.f('fk_request_attachments_request_id_record_requests')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_request_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_attachments'))
    )
    with op.batch_alter_table('request_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_attachments_blob_id'), ['blob_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_attachments_request_id'), ['request_id'], unique=False)

    op.create_table('request_followers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('via_request_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['record_requests.id'], name=op.f('fk_request_followers_request_id_record_requests')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_request_followers_user_id_users')),
    sa.ForeignKeyConstraint(['via_request_id'], ['record_requests.id'], name=op.f('fk_request_followers_via_request_id_record_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_followers')),
    sa.UniqueConstraint('request_id', 'user_id', name='uq_request_followers_pair')
    )
    with op.batch_alter_table('request_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_followers_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_followers_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scan_status', sa.Enum('not_scanned', 'pending', 'clean', 'infected', 'error', name='scanstatus', native_enum=False, length=16), server_default='not_scanned', nullable=False))
        batch_op.add_column(sa.Column('scan_detail', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('scanner', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('scan_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('scan_after', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_blobs_scan_status_scan_after', ['scan_status', 'scan_after'], unique=False)

    with op.batch_alter_table('record_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_record_requests_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_requests_group_id'), ['group_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_record_requests_duplicate_of_id_record_requests'), 'record_requests', ['duplicate_of_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_record_requests_group_id_request_groups'), 'request_groups', ['group_id'], ['id'])

    with op.batch_alter_table('request_drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('other_departments', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('request_drafts', schema=None) as batch_op:
        batch_op.drop_column('other_departments')

    with op.batch_alter_table('record_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_record_requests_group_id_request_groups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_record_requests_duplicate_of_id_record_requests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_record_requests_group_id'))
        batch_op.drop_index(batch_op.f('ix_record_requests_duplicate_of_id'))
        batch_op.drop_column('duplicate_of_id')
        batch_op.drop_column('group_id')

    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.drop_index('ix_blobs_scan_status_scan_after')
        batch_op.drop_column('scan_after')
        batch_op.drop_column('scan_attempts')
        batch_op.drop_column('scanned_at')
        batch_op.drop_column('scanner')
        batch_op.drop_column('scan_detail')
        batch_op.drop_column('scan_status')

    with op.batch_alter_table('request_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_followers_user_id'))
        batch_op.drop_index(batch_op.f('ix_request_followers_request_id'))

    op.drop_table('request_followers')
    with op.batch_alter_table('request_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_attachments_request_id'))
        batch_op.drop_index(batch_op.f('ix_request_attachments_blob_id'))

    op.drop_table('request_attachments')
    op.drop_table('request_groups')
    with op.batch_alter_table('digests_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digests_sent_user_id'))

    op.drop_table('digests_sent')
