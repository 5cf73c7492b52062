"""create requests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 12:37:19.405704

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tracking_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_tracking_counters'))
    )
    op.create_table('record_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_number', sa.String(length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('received', 'acknowledged', 'in_progress', 'awaiting_requester', 'extended', 'fulfilled', 'partially_fulfilled', 'denied', 'no_responsive_records', 'withdrawn', name='status', native_enum=False, length=32), server_default='received', nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_record_requests_assignee_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_record_requests_department_id_departments')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_record_requests_requester_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_requests')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_record_requests_tracking_number'))
    )
    with op.batch_alter_table('record_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_requests_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_record_requests_dept_status_due', ['department_id', 'status', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_requests_requester_id'), ['requester_id'], unique=False)

    op.create_table('request_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('public', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_request_events_actor_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['record_requests.id'], name=op.f('fk_request_events_request_id_record_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_events'))
    )
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_events_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_events_request_id'))

    op.drop_table('request_events')
    with op.batch_alter_table('record_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_requests_requester_id'))
        batch_op.drop_index('ix_record_requests_dept_status_due')
        batch_op.drop_index(batch_op.f('ix_record_requests_assignee_id'))

    op.drop_table('record_requests')
    op.drop_table('tracking_counters')
