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
    { kind: 'runs', line: 4, argument: 'event' },
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
    { kind: 'runs', line: 6, argument: 'event' },
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

test('a return in an if before the hand-off leaves for some events; in every branch, for all', () => {
  const guarded = reach([
    'def hook(p, s):',
    '    event = stripe.Webhook.construct_event(p, s, K)',
    '    if event["type"] not in HANDLED:',
    '        return {"ignored": True}',
    '    skene_handle_stripe_event(event)',
    '    return 1',
    '',
  ]);
  assert.equal(guarded.kind, 'not-every-event');
  assert.match(
    (guarded as { why: string }).why,
    /^the return at line 4 \(in the if at line 3\) comes first for some events$/,
  );
  assert.deepEqual(
    reach([
      'def hook(p, s):',
      '    event = stripe.Webhook.construct_event(p, s, K)',
      '    if event["type"] == "x":',
      '        return 1',
      '    else:',
      '        raise Ignored()',
      '    skene_handle_stripe_event(event)',
      '',
    ]),
    { kind: 'unreachable', line: 7, exit: { line: 4, statement: 'return' } },
  );
  // A return inside a nested function does not leave the webhook.
  assert.equal(
    reach([
      'def hook(p, s):',
      '    event = stripe.Webhook.construct_event(p, s, K)',
      '    def later():',
      '        return 1',
      '    skene_handle_stripe_event(event)',
      '',
    ]).kind,
    'runs',
  );
});

test('inside a with or try body entered after the event, or the else of its try: runs', () => {
  assert.deepEqual(
    reach([
      'def hook(p, s):',
      '    event = stripe.Webhook.construct_event(p, s, K)',
      '    with lock:',
      '        skene_handle_stripe_event(event)',
      '',
    ]),
    { kind: 'runs', line: 4, argument: 'event' },
  );
  assert.deepEqual(
    reach([
      'def hook(p, s):',
      '    event = stripe.Webhook.construct_event(p, s, K)',
      '    try:',
      '        skene_handle_stripe_event(event)',
      '    except Exception:',
      '        log.exception("skene")',
      '    return 1',
      '',
    ]),
    { kind: 'runs', line: 4, argument: 'event' },
  );
  assert.deepEqual(
    reach([
      'def hook(p, s):',
      '    try:',
      '        event = stripe.Webhook.construct_event(p, s, K)',
      '    except ValueError:',
      '        return bad()',
      '    else:',
      '        skene_handle_stripe_event(event)',
      '    return 1',
      '',
    ]),
    { kind: 'runs', line: 7, argument: 'event' },
  );
  // Inside the with, a return before the call still counts.
  assert.equal(
    reach([
      'def hook(p, s):',
      '    event = stripe.Webhook.construct_event(p, s, K)',
      '    with lock:',
      '        if event["livemode"]:',
      '            return 1',
      '        skene_handle_stripe_event(event)',
      '',
    ]).kind,
    'not-every-event',
  );
});

test('the argument handed over is reported, to compare with the verified event', () => {
  assert.deepEqual(
    reach([
      'def hook(p, s):',
      '    event = stripe.Webhook.construct_event(p, s, K)',
      '    payload = json.loads(p)',
      '    skene_handle_stripe_event(payload)',
      '',
    ]),
    { kind: 'runs', line: 4, argument: 'payload' },
  );
});
