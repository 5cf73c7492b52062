"""worker heartbeats

One row per `flask worker` process, touched every turn of its loop, so that `flask worker status`
and the admin pages can say when no worker has been seen for a while; `jobs.worker` names the
worker running a job, whose job is not taken back while its heartbeat is fresh.

Revision ID: 0012_reliab21a
Revises: 0011
Create Date: 2026-12-07 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_reliab21a'
down_revision = '0012p24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('worker_heartbeats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('slots', sa.Integer(), server_default='1', nullable=False),
    sa.Column('running', sa.String(length=400), server_default='', nullable=False),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worker_heartbeats')),
    sa.UniqueConstraint('name', name=op.f('uq_worker_heartbeats_name'))
    )
    with op.batch_alter_table('worker_heartbeats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_heartbeats_seen_at'), ['seen_at'], unique=False)
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('worker')
    with op.batch_alter_table('worker_heartbeats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_heartbeats_seen_at'))
    op.drop_table('worker_heartbeats')
