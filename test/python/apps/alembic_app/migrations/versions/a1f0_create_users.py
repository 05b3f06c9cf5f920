"""create users"""

import sqlalchemy as sa
from alembic import op

revision = "a1f0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True), sa.Column("api_key", sa.String(64)))


def downgrade():
    op.drop_table("users")
