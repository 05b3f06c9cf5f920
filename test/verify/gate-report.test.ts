import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runGateTests, summarizeReason } from '../../src/verify/run-gate-tests.js';

const python = { command: ['/usr/bin/python3'] as [string], source: 'PATH' };

/** A tiny test file run through verify's real plugin and pytest: each outcome as verify reads it. */
test("verify's pytest plugin: passes, failures in skene words, skips, setup errors and tracebacks as checks", async () => {
  const folder = await mkdtemp(join(tmpdir(), 'skene-gate-report-'));
  await mkdir(join(folder, 'tests'));
  const file = join(folder, 'tests', 'test_skene_gate.py');
  await writeFile(
    file,
    [
      'import pytest',
      '',
      '@pytest.fixture',
      'def broken():',
      '    raise RuntimeError("the fixture broke")',
      '',
      'def test_fine():',
      '    """a check that passes"""',
      '',
      '@pytest.mark.parametrize("step_id", ["reports", "exports"])',
      'def test_worded(step_id):',
      '    """a check per step"""',
      '    if step_id == "exports":',
      '        pytest.fail("POST /x is not gated", pytrace=False)',
      '',
      'def test_skipped():',
      '    """a check this environment cannot run"""',
      '    pytest.skip("the app\'s settings need DATABASE_URL: set it for the tests")',
      '',
      'def test_setup(broken):',
      '    """a check whose set-up fails"""',
      '',
      'def test_crash():',
      '    """a check that crashes"""',
      '    assert {"a": 1} == {"a": 2}',
      '',
    ].join('\n'),
  );
  const run = await runGateTests({ python, testFile: file, cwd: folder, env: { PATH: process.env.PATH } });
  assert.equal(run.problem, undefined, run.output);
  assert.equal(run.exitStatus, 1);
  assert.match(run.versions?.python ?? '', /^3\.\d+/);
  const byId = Object.fromEntries(run.checks.map((check) => [check.id, check]));
  assert.deepEqual(Object.keys(byId).sort(), [
    'test_crash',
    'test_fine',
    'test_setup',
    'test_skipped',
    'test_worded[exports]',
    'test_worded[reports]',
  ]);
  assert.deepEqual(byId['test_fine'], { id: 'test_fine', title: 'a check that passes', status: 'pass' });
  assert.deepEqual(byId['test_worded[reports]'], {
    id: 'test_worded[reports]',
    title: 'a check per step',
    status: 'pass',
    step: 'reports',
  });
  assert.deepEqual(byId['test_worded[exports]'], {
    id: 'test_worded[exports]',
    title: 'a check per step',
    status: 'fail',
    step: 'exports',
    reason: 'POST /x is not gated',
  });
  assert.deepEqual(byId['test_skipped']?.reason, "the app's settings need DATABASE_URL: set it for the tests");
  assert.equal(byId['test_skipped']?.status, 'skip');
  assert.equal(byId['test_setup']?.status, 'fail');
  assert.match(byId['test_setup']?.reason ?? '', /RuntimeError: the fixture broke/);
  assert.equal(byId['test_crash']?.status, 'fail');
  assert.match(byId['test_crash']?.reason ?? '', /^AssertionError: assert/);
});

test('an interpreter without pytest is said in skene words', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'skene-gate-report-'));
  const file = join(folder, 'test_skene_gate.py');
  await writeFile(file, 'def test_x():\n    pass\n');
  // -I: isolated mode, so site-packages (and pytest) are not on the path.
  const run = await runGateTests({
    python: { command: ['/usr/bin/python3', '-I', '-S'], source: 'PATH' },
    testFile: file,
    cwd: folder,
    env: { PATH: process.env.PATH },
  });
  assert.equal(run.checks.length, 0);
  assert.match(run.problem ?? '', /pytest is not installed for \/usr\/bin\/python3/);
});

test("a failure's reason: skene's message as it is, an exception's E lines, never the traceback", () => {
  assert.equal(summarizeReason('POST /x is not gated'), 'POST /x is not gated');
  assert.equal(
    summarizeReason(
      'def test():\n>       boom()\n\nfile.py:3: in boom\nE   ValueError: bad\nE   more\nfile.py:9: ValueError',
    ),
    'ValueError: bad\nmore',
  );
  assert.equal(summarizeReason(''), undefined);
});
