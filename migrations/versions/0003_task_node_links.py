"""task node links (issue 9: reverse scheduling)

A chain (task_chain) is one reverse scheduling of a project from a node template; each
of its nodes (chain_node) links one task to the template node it came from, with its
duration in working days and the nodes it waits for (chain_node_dependency).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('task_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('target', sa.Date(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['node_template.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task_chain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_chain_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_chain_template_id'), ['template_id'], unique=False)

    op.create_table('chain_node',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('template_node_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('workdays', sa.Integer(), nullable=False),
    sa.CheckConstraint('workdays > 0', name='ck_chain_node_workdays'),
    sa.ForeignKeyConstraint(['chain_id'], ['task_chain.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_node_id'], ['template_node.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id')
    )
    with op.batch_alter_table('chain_node', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chain_node_chain_id'), ['chain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chain_node_template_node_id'), ['template_node_id'], unique=False)

    op.create_table('chain_node_dependency',
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('depends_on_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['depends_on_id'], ['chain_node.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['node_id'], ['chain_node.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('node_id', 'depends_on_id')
    )
    with op.batch_alter_table('chain_node_dependency', schema=None) as batch_op:
        batch_op.create_index('ix_chain_node_dependency_depends_on_id', ['depends_on_id'], unique=False)


def downgrade():
    with op.batch_alter_table('chain_node_dependency', schema=None) as batch_op:
        batch_op.drop_index('ix_chain_node_dependency_depends_on_id')
    op.drop_table('chain_node_dependency')
    with op.batch_alter_table('chain_node', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chain_node_template_node_id'))
        batch_op.drop_index(batch_op.f('ix_chain_node_chain_id'))
    op.drop_table('chain_node')
    with op.batch_alter_table('task_chain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_chain_template_id'))
        batch_op.drop_index(batch_op.f('ix_task_chain_project_id'))
    op.drop_table('task_chain')
