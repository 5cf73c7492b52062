"""extend requests: filing details, the statutory clock, fee estimates, closure days, drafts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 12:43:45.564276

Requests filed before this revision have no clock_start; the code treats it as the day of
receipt and `flask requests refresh-deadlines` fills it in.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_agency_closures_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_closures')),
    sa.UniqueConstraint('day', name=op.f('uq_agency_closures_day'))
    )
    op.create_table('fee_estimates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'withdrawn', name='feestatus', native_enum=False, length=32), server_default='pending', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fee_estimates_created_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['record_requests.id'], name=op.f('fk_fee_estimates_request_id_record_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_estimates'))
    )
    with op.batch_alter_table('fee_estimates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_estimates_request_id'), ['request_id'], unique=False)

    op.create_table('request_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=True),
    sa.Column('date_to', sa.Date(), nullable=True),
    sa.Column('preferred_format', sa.String(length=32), server_default='any', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_request_drafts_department_id_departments')),
    sa.ForeignKeyConstraint(['request_id'], ['record_requests.id'], name=op.f('fk_request_drafts_request_id_record_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_drafts')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_request_drafts_token_hash'))
    )
    with op.batch_alter_table('record_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('date_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('preferred_format', sa.String(length=32), server_default='any', nullable=False))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('clock_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('clock_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('extension_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('paused_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('paused_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('exemptions', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('published', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('private_reason', sa.Text(), nullable=True))
        batch_op.create_index('ix_record_requests_received_at', ['received_at'], unique=False)
        batch_op.create_index('ix_record_requests_status_due', ['status', 'due_date', 'paused_on'], unique=False)

    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.drop_column('data')

    with op.batch_alter_table('record_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_record_requests_status_due')
        batch_op.drop_index('ix_record_requests_received_at')
        batch_op.drop_column('private_reason')
        batch_op.drop_column('published')
        batch_op.drop_column('exemptions')
        batch_op.drop_column('paused_on')
        batch_op.drop_column('paused_days')
        batch_op.drop_column('extension_days')
        batch_op.drop_column('clock_days')
        batch_op.drop_column('clock_start')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('preferred_format')
        batch_op.drop_column('date_to')
        batch_op.drop_column('date_from')

    op.drop_table('request_drafts')
    with op.batch_alter_table('fee_estimates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_estimates_request_id'))

    op.drop_table('fee_estimates')
    op.drop_table('agency_closures')
