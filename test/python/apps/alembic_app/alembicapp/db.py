import os

from sqlalchemy import create_engine

engine = create_engine(os.environ.get("ALEMBIC_APP_DATABASE_URL", "sqlite:///./alembicapp.db"))
