"""add email"""

import sqlalchemy as sa
from alembic import op

revision: str = "b2c3"
down_revision = "a1f0"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("email", sa.String(255)))


def downgrade():
    op.drop_column("users", "email")
