import os
from functools import lru_cache

from sqlalchemy import create_engine


class Database:
    engine = create_engine(os.environ["HELD_DATABASE_URL"])


@lru_cache
def get_engine():
    return create_engine(os.environ["HELD_DATABASE_URL"])
