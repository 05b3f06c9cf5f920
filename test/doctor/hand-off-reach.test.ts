import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectHandOffReach } from '../../src/doctor/detect-hand-off.js';
import { parsePython } from '../../src/generate/wire-python-source.js';

/** The reach of the hand-off calls in `lines` (the construct_event statement is the line holding "construct_event"). */
function reach(lines: string[]): ReturnType<typeof detectHandOffReach> {
  const source = lines.join('\n');
  const constructLine = lines.findIndex((l) => l.includes('construct_event')) + 1;
  const column = lines[constructLine - 1]!.search(/\S/);
  const handOffLines = lines.flatMap((l, i) => (l.includes('skene_handle_stripe_event(') ? [i + 1] : []));
  return detectHandOffReach(source, parsePython(source), { line: constructLine, column }, handOffLines);
}

test('right after the event, inside the try: runs', () => {
  assert.deepEqual(
    reach([
      'def hook(p, s):',
      '    try:',
      '        event = stripe.Webhook.construct_event(p, s, K)',
      '        skene_handle_stripe_event(event)',
      '        return ok(event)',
      '    except ValueError:',
      '        return bad()',
      '',
    ]),
    { kind: 'runs', line: 4 },
  );
  assert.deepEqual(
    reach([
      'def hook(p, s):',
      '    try:',
      '        event = stripe.Webhook.construct_event(p, s, K)',
      '    except ValueError:',
      '        raise HTTPException(400)',
      '    skene_handle_stripe_event(event)',
      '    return 1',
      '',
    ]),
    { kind: 'runs', line: 6 },
  );
});

test('after a try whose body returns: unreachable, naming the return', () => {
  assert.deepEqual(
    reach([
      'def hook(p, s):',
      '    try:',
      '        event = stripe.Webhook.construct_event(p, s, K)',
      '        return ok(event)',
      '    except ValueError:',
      '        return bad()',
      '    skene_handle_stripe_event(event)',
      '',
    ]),
    { kind: 'unreachable', line: 7, exit: { line: 4, statement: 'return' } },
  );
  assert.deepEqual(
    reach([
      'def hook(p, s):',
      '    event = stripe.Webhook.construct_event(p, s, K)',
      '    return ok(event)',
      '    skene_handle_stripe_event(event)',
      '',
    ]),
    { kind: 'unreachable', line: 4, exit: { line: 3, statement: 'return' } },
  );
});

test('in a branch, before the event, or missing', () => {
  assert.equal(
    reach([
      'def hook(p, s):',
      '    event = stripe.Webhook.construct_event(p, s, K)',
      '    if event["type"] == "x":',
      '        skene_handle_stripe_event(event)',
      '    return 1',
      '',
    ]).kind,
    'not-every-event',
  );
  assert.match(
    (
      reach([
        'def hook(p, s):',
        '    skene_handle_stripe_event(None)',
        '    event = stripe.Webhook.construct_event(p, s, K)',
        '',
      ]) as { why: string }
    ).why,
    /before the event is bound \(line 3\)/,
  );
  assert.deepEqual(reach(['def hook(p, s):', '    event = stripe.Webhook.construct_event(p, s, K)', '']), {
    kind: 'missing',
  });
});
