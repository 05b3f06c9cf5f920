/**
 * The database layer: SQLAlchemy or SQLModel, sync or async, the engine and where its URL comes from,
 * the session factory and request-scoped session dependency, and Alembic.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { analyzeSources, py } from './helpers.js';

test('SQLAlchemy: engine from settings, sessionmaker, get_db dependency, Alembic from alembic.ini', async (t) => {
  const result = await analyzeSources(t, {
    'alembic.ini': '[alembic]\nscript_location = %(here)s/migrations\n',
    'migrations/env.py': 'from alembic import context\n',
    'migrations/script.py.mako': '',
    'migrations/versions/0001_init.py': 'revision = "0001"\n',
    'app/__init__.py': '',
    'app/config.py': py`
      class Settings:
          DATABASE_URL: str = "sqlite:///./app.db"

      settings = Settings()
    `,
    'app/db.py': py`
      from sqlalchemy import create_engine
      from sqlalchemy.orm import declarative_base, sessionmaker
      from app.config import settings

      engine = create_engine(settings.DATABASE_URL, pool_pre_ping=True)
      SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)
      Base = declarative_base()

      def get_db():
          db = SessionLocal()
          try:
              yield db
          finally:
              db.close()
    `,
  });
  const { database } = result;
  assert.equal(database.kind, 'sqlalchemy');
  assert.equal(database.async, false);
  assert.deepEqual(database.engine, {
    file: 'app/db.py',
    line: 5,
    variable: 'engine',
    module: 'app.db',
    urlSource: { setting: 'DATABASE_URL' },
  });
  assert.deepEqual(database.sessionFactory, { file: 'app/db.py', line: 6, variable: 'SessionLocal', module: 'app.db' });
  assert.deepEqual(database.sessionDependency, { file: 'app/db.py', line: 9, name: 'get_db', module: 'app.db' });
  assert.deepEqual(database.alembic, {
    dir: 'migrations',
    versionsDir: 'migrations/versions',
    envFile: 'migrations/env.py',
  });
});

test('SQLModel with the URL from an environment variable', async (t) => {
  const result = await analyzeSources(t, {
    'database.py': py`
      import os
      from sqlmodel import Session, SQLModel, create_engine

      engine = create_engine(os.environ["DATABASE_URL"], echo=False)

      def get_session():
          with Session(engine) as session:
              yield session
    `,
  });
  const { database } = result;
  assert.equal(database.kind, 'sqlmodel');
  assert.equal(database.engine?.variable, 'engine');
  assert.deepEqual(database.engine?.urlSource, { env: 'DATABASE_URL' });
  assert.equal(database.sessionDependency?.name, 'get_session');
  assert.equal(database.alembic, undefined);
});

test('async SQLAlchemy: create_async_engine, async_sessionmaker, an async session dependency, Alembic found by its env.py', async (t) => {
  const result = await analyzeSources(t, {
    'backend/app/__init__.py': '',
    'backend/app/db/__init__.py': '',
    'backend/app/db/session.py': py`
      from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

      DATABASE_URL = "postgresql+asyncpg://app:app@localhost/app"
      async_engine = create_async_engine(DATABASE_URL)
      async_session = async_sessionmaker(async_engine, class_=AsyncSession, expire_on_commit=False)

      async def get_async_session():
          async with async_session() as session:
              yield session
    `,
    'backend/app/alembic/env.py': 'from alembic import context\n',
    'backend/app/alembic/script.py.mako': '',
    'backend/app/alembic/versions/0001.py': 'revision = "0001"\n',
  });
  const { database } = result;
  assert.equal(database.kind, 'sqlalchemy');
  assert.equal(database.async, true);
  assert.equal(database.engine?.variable, 'async_engine');
  assert.equal(database.engine?.module, 'app.db.session');
  assert.deepEqual(database.sessionFactory?.variable, 'async_session');
  assert.equal(database.sessionDependency?.name, 'get_async_session');
  assert.equal(database.alembic?.dir, 'backend/app/alembic');
  assert.equal(database.alembic?.versionsDir, 'backend/app/alembic/versions');
});

test('no database layer', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      from fastapi import FastAPI
      app = FastAPI()
      ITEMS: dict[int, str] = {}
    `,
  });
  assert.deepEqual(result.database, { kind: 'none', async: false });
});

test('Alembic: a package-resource script_location (`pkg:path`) resolves inside that package', async (t) => {
  const result = await analyzeSources(t, {
    'src/shop/alembic.ini': '[alembic]\nscript_location = shop:database/revisions\n',
    'src/shop/__init__.py': '',
    'src/shop/database/__init__.py': '',
    'src/shop/database/revisions/env.py': 'from alembic import context\n',
    'src/shop/database/revisions/versions/0001_init.py': 'revision = "0001"\n',
    'src/shop/db.py': 'from sqlalchemy import create_engine\nengine = create_engine("sqlite:///shop.db")\n',
  });
  assert.deepEqual(result.database.alembic, {
    dir: 'src/shop/database/revisions',
    versionsDir: 'src/shop/database/revisions/versions',
    envFile: 'src/shop/database/revisions/env.py',
  });
});

test('an engine held by a class attribute or returned by a cached getter is reached through it', async (t) => {
  const held = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/db.py': py`
      import os
      from sqlalchemy import create_engine

      class Database:
          engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    `,
  });
  assert.deepEqual(held.database.engine, {
    file: 'app/db.py',
    line: 4,
    variable: 'Database',
    module: 'app.db',
    access: { kind: 'attribute', attribute: 'engine' },
    urlSource: { env: 'DATABASE_URL' },
  });
  const getter = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/config.py': 'class Settings:\n    database_url: str = "sqlite:///app.db"\n\nsettings = Settings()\n',
    'app/db.py': py`
      from functools import lru_cache
      from sqlalchemy import create_engine
      from app.config import settings

      @lru_cache
      def get_engine():
          return create_engine(settings.database_url)
    `,
  });
  assert.deepEqual(getter.database.engine, {
    file: 'app/db.py',
    line: 6,
    variable: 'get_engine',
    module: 'app.db',
    access: { kind: 'call' },
    urlSource: { setting: 'database_url' },
  });
});

test('an engine built inside a factory that no import reaches is not guessed', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/main.py': py`
      from fastapi import FastAPI
      from sqlalchemy import create_engine

      def create_app():
          app = FastAPI()
          app.state.engine = create_engine("sqlite:///app.db")
          return app

      app = create_app()
    `,
  });
  assert.equal(result.database.kind, 'sqlalchemy');
  assert.equal(result.database.engine, undefined);
});
