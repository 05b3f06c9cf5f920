/**
 * Reading a SQLite database in WAL mode the way `skene stats` does without node:sqlite (sql.js over a copy with the
 * WAL's committed frames applied). Python's sqlite3 makes the files and copies them while its connections are
 * still open, so the copies hold a WAL no checkpoint has folded in: committed transactions, a transaction still
 * open whose pages spilled into the WAL, a WAL restarted after a checkpoint over older frames, a damaged frame.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { applySqliteWal } from '../../src/database/apply-sqlite-wal.js';
import { openSqlite } from '../../src/database/read-sqlite.js';

const scratch = mkdtempSync(join(tmpdir(), 'skene-wal-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `body` in Python with `db` (a connection in WAL mode, no automatic checkpoint) and `snapshot(name)`. */
function python(name: string, body: string): string {
  const dir = join(scratch, name);
  const script = `
import os, shutil, sqlite3
dir = ${JSON.stringify(dir)}
os.makedirs(dir)
path = os.path.join(dir, "live.db")
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("CREATE TABLE skene_events (k TEXT PRIMARY KEY, payload TEXT)")

def snapshot(copy):
    shutil.copyfile(path, os.path.join(dir, copy + ".db"))
    shutil.copyfile(path + "-wal", os.path.join(dir, copy + ".db-wal"))

${body}
`;
  execFileSync('/usr/bin/python3', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
  return dir;
}

async function count(file: string): Promise<number> {
  const db = await openSqlite(file);
  try {
    assert.equal(db.driver, 'sql.js');
    const [row] = await db.query('SELECT COUNT(*) AS n FROM skene_events');
    return Number(row?.n);
  } finally {
    await db.close();
  }
}

describe('a SQLite WAL read without SQLite', () => {
  it('applies committed transactions and leaves out one still open, whose pages spilled into the WAL', async () => {
    const dir = python(
      'open-transaction',
      `
for i in range(3):
    db.execute("INSERT INTO skene_events VALUES (?, ?)", ("committed-%d" % i, "x" * 100))
other = sqlite3.connect(path, isolation_level=None)
other.execute("PRAGMA cache_size=2")
other.execute("BEGIN")
for i in range(400):
    other.execute("INSERT INTO skene_events VALUES (?, ?)", ("open-%d" % i, "y" * 500))
snapshot("copy")
`,
    );
    const main = readFileSync(join(dir, 'copy.db'));
    const wal = readFileSync(join(dir, 'copy.db-wal'));
    const replay = applySqliteWal(main, wal);
    const framesInFile = (wal.byteLength - 32) / (24 + 4096);
    assert.ok(replay.frames > 0, 'committed frames applied');
    assert.ok(framesInFile > replay.frames + 10, `the open transaction's frames are in the file (${framesInFile})`);
    assert.equal(await count(join(dir, 'copy.db')), 3);
  });

  it('stops at the frames of an older generation once a checkpoint restarted the WAL', async () => {
    const dir = python(
      'restarted',
      `
for i in range(300):
    db.execute("INSERT INTO skene_events VALUES (?, ?)", ("first-%d" % i, "z" * 400))
db.execute("PRAGMA wal_checkpoint(RESTART)")
db.execute("DELETE FROM skene_events WHERE k LIKE 'first-1%'")
snapshot("copy")
`,
    );
    const wal = readFileSync(join(dir, 'copy.db-wal'));
    const replay = applySqliteWal(readFileSync(join(dir, 'copy.db')), wal);
    assert.ok(replay.frames > 0 && replay.frames < (wal.byteLength - 32) / (24 + 4096), `${replay.frames} frames`);
    // 300 rows less first-1, first-10..19, first-100..199.
    assert.equal(await count(join(dir, 'copy.db')), 300 - 111);
  });

  it('applies nothing past a damaged frame', async () => {
    const dir = python(
      'damaged',
      `
db.execute("INSERT INTO skene_events VALUES ('a', 'first')")
db.execute("INSERT INTO skene_events VALUES ('b', 'second')")
snapshot("copy")
`,
    );
    const walFile = join(dir, 'copy.db-wal');
    const wal = readFileSync(walFile);
    const whole = applySqliteWal(readFileSync(join(dir, 'copy.db')), wal).frames;
    assert.equal(await count(join(dir, 'copy.db')), 2);
    // A byte of the last frame's page changed: its checksum fails, and the second insert is lost, not misread.
    wal[wal.byteLength - 100] = (wal[wal.byteLength - 100]! + 1) & 0xff;
    writeFileSync(walFile, wal);
    const replay = applySqliteWal(readFileSync(join(dir, 'copy.db')), wal);
    assert.ok(replay.frames < whole, `${replay.frames} < ${whole}`);
    assert.equal(await count(join(dir, 'copy.db')), 1);
  });
});
