import os

from sqlalchemy import Column, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import declarative_base, sessionmaker

DATABASE_URL = os.environ.get("ASYNCAPP_DATABASE_URL", "sqlite+aiosqlite:///./asyncapp.db")

# An async engine: skene keeps its tables in the same database, on connections of its own.
engine = create_async_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine, class_=AsyncSession, expire_on_commit=False)
Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String, nullable=True)
    api_key = Column(String, unique=True, nullable=False)


async def init_db(users=5):
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with SessionLocal() as db:
        if (await db.execute(select(User.id))).first() is None:
            for n in range(1, users + 1):
                db.add(User(id=n, email="user%d@example.test" % n, api_key="key-%d" % n))
            await db.commit()


async def get_db():
    async with SessionLocal() as db:
        yield db
