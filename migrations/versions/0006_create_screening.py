"""create screening: protected lists, stored screening results, holds

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('protected_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_protected_lists_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protected_lists')),
    sa.UniqueConstraint('name', name=op.f('uq_protected_lists_name'))
    )
    op.create_table('protected_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=300), nullable=False),
    sa.Column('normalised', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('name', 'serial', 'email', 'phone', 'text', name='termkind', native_enum=False, length=16), server_default='text', nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_protected_terms_added_by_id_users')),
    sa.ForeignKeyConstraint(['list_id'], ['protected_lists.id'], name=op.f('fk_protected_terms_list_id_protected_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protected_terms')),
    sa.UniqueConstraint('list_id', 'normalised', name='uq_protected_terms_list_normalised')
    )
    with op.batch_alter_table('protected_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protected_terms_list_id'), ['list_id'], unique=False)

    op.create_table('protected_lists_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='0', nullable=False),
    sa.Column('token', sa.String(length=32), server_default='initial', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protected_lists_revision'))
    )
    op.execute(sa.text("INSERT INTO protected_lists_revision (id, revision, token) VALUES (1, 0, 'initial')"))

    op.create_table('screening_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blob_id', sa.Integer(), nullable=False),
    sa.Column('lists_token', sa.String(length=32), nullable=False),
    sa.Column('settings', sa.String(length=64), nullable=False),
    sa.Column('screened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['blob_id'], ['blobs.id'], name=op.f('fk_screening_results_blob_id_blobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_results')),
    sa.UniqueConstraint('blob_id', 'lists_token', 'settings', name='uq_screening_results_blob_version')
    )
    with op.batch_alter_table('screening_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_results_blob_id'), ['blob_id'], unique=False)

    op.create_table('screening_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('open', 'approved', 'dismissed', name='holdstatus', native_enum=False, length=16), server_default='open', nullable=False),
    sa.Column('record_ids', sa.JSON(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('matches', sa.JSON(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('release_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_screening_holds_decided_by_id_users')),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_screening_holds_release_id_releases')),
    sa.ForeignKeyConstraint(['request_id'], ['record_requests.id'], name=op.f('fk_screening_holds_request_id_record_requests')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_screening_holds_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_holds'))
    )
    with op.batch_alter_table('screening_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_holds_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_holds_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('screening_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_holds_status'))
        batch_op.drop_index(batch_op.f('ix_screening_holds_request_id'))
    op.drop_table('screening_holds')
    with op.batch_alter_table('screening_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_results_blob_id'))
    op.drop_table('screening_results')
    op.drop_table('protected_lists_revision')
    with op.batch_alter_table('protected_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protected_terms_list_id'))
    op.drop_table('protected_terms')
    op.drop_table('protected_lists')
