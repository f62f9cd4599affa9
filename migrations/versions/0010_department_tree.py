"""department tree and data scope on the role (issue 15)

Revision ID: 0010_department_tree
Revises: 0009_job_locks
Create Date: 2026-12-03 11:10:00

`department.parent_id`: the unit above (every existing unit stays at the top level, NULL).
`role_scope`: a role's 数据范围 beside FAB's ab_role, whose columns stay FAB's, and
`role_scope_department`: the units of a 指定单位 scope. The built-in roles get today's
behaviour: Admin, Supervisor and Leader see all data, DeptStaff its own unit (a role with no
row is 本单位 too).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_department_tree'
down_revision = '0009_job_locks'
branch_labels = None
depends_on = None

KINDS = "kind IN ('all', 'own', 'subtree', 'custom', 'self')"
DEFAULTS = """
INSERT INTO role_scope (role_id, kind)
SELECT id, CASE WHEN name = 'DeptStaff' THEN 'own' ELSE 'all' END FROM ab_role
WHERE name IN ('Admin', 'Supervisor', 'Leader', 'DeptStaff')
"""


def upgrade():
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_department_parent_id'), ['parent_id'],
                              unique=False)
        batch_op.create_foreign_key('fk_department_parent_id_department', 'department',
                                    ['parent_id'], ['id'], ondelete='RESTRICT')
    op.create_table(
        'role_scope',
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.CheckConstraint(KINDS, name='ck_role_scope_kind'),
        sa.ForeignKeyConstraint(['role_id'], ['ab_role.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('role_id'),
    )
    op.create_table(
        'role_scope_department',
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['department.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['role_id'], ['role_scope.role_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('role_id', 'department_id'),
    )
    op.execute(DEFAULTS)


def downgrade():
    op.drop_table('role_scope_department')
    op.drop_table('role_scope')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_constraint('fk_department_parent_id_department', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_department_parent_id'))
        batch_op.drop_column('parent_id')
