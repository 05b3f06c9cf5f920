import os

from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.orm import declarative_base, sessionmaker

DATABASE_URL = os.environ.get("TESTAPP_DATABASE_URL", "sqlite:///./testapp.db")
connect_args = {"check_same_thread": False} if DATABASE_URL.startswith("sqlite") else {}

# The default pool (5 + 10 overflow on PostgreSQL): the gate must never starve it.
engine = create_engine(DATABASE_URL, connect_args=connect_args)
SessionLocal = sessionmaker(bind=engine, autocommit=False, autoflush=False)
Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String, nullable=True)
    api_key = Column(String, unique=True, nullable=False)


def init_db(users=30, without_email=20):
    Base.metadata.create_all(bind=engine)
    db = SessionLocal()
    try:
        if db.query(User).count() == 0:
            for n in range(1, users + 1):
                email = None if n == without_email else "user%d@example.test" % n
                db.add(User(id=n, email=email, api_key="key-%d" % n))
            db.commit()
    finally:
        db.close()


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
