"""create redaction

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('redaction_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('output_record_id', sa.Integer(), nullable=False),
    sa.Column('applied_by_id', sa.Integer(), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report', sa.Text(), server_default='{}', nullable=False),
    sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_redaction_runs_applied_by_id_users')),
    sa.ForeignKeyConstraint(['output_record_id'], ['records.id'], name=op.f('fk_redaction_runs_output_record_id_records')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_redaction_runs_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redaction_runs')),
    sa.UniqueConstraint('output_record_id', name=op.f('uq_redaction_runs_output_record_id'))
    )
    with op.batch_alter_table('redaction_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redaction_runs_record_id'), ['record_id'], unique=False)

    op.create_table('redactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('spec', sa.Text(), server_default='{}', nullable=False),
    sa.Column('citation', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('draft', 'applied', 'withdrawn', name='redactionstatus', native_enum=False, length=16), server_default='draft', nullable=False),
    sa.Column('matches', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_redactions_created_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_redactions_record_id_records')),
    sa.ForeignKeyConstraint(['run_id'], ['redaction_runs.id'], name=op.f('fk_redactions_run_id_redaction_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redactions'))
    )
    with op.batch_alter_table('redactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redactions_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_redactions_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_redactions_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('redactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redactions_status'))
        batch_op.drop_index(batch_op.f('ix_redactions_run_id'))
        batch_op.drop_index(batch_op.f('ix_redactions_record_id'))
    op.drop_table('redactions')
    with op.batch_alter_table('redaction_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redaction_runs_record_id'))
    op.drop_table('redaction_runs')
