import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyTextEdits, parsePython } from '../../src/generate/wire-python-source.js';
import { planWebhookHandlerCall, type WebhookTarget } from '../../src/generate/wire-stripe-webhook.js';

function connect(source: string, target: WebhookTarget): string | 'present' | { refused: string } {
  const outcome = planWebhookHandlerCall(source, parsePython(source), target);
  if (outcome.kind === 'present') return 'present';
  if (outcome.kind === 'refused') return { refused: outcome.reason };
  return applyTextEdits(source, outcome.edits);
}

const TRY_RAISE = [
  'async def webhook(request: Request):',
  '    payload = await request.body()',
  '    try:',
  '        event = stripe.Webhook.construct_event(payload, sig, SECRET)',
  '    except (ValueError, stripe.error.SignatureVerificationError):',
  '        raise HTTPException(status_code=400)',
  '    if event["type"] == "checkout.session.completed":',
  '        pass',
  '',
].join('\n');

test('calls the handler right after the event is bound, inside the try', () => {
  const after = connect(TRY_RAISE, { line: 4, column: 8, eventVariable: 'event' });
  assert.equal(after, TRY_RAISE.replace('SECRET)\n', 'SECRET)\n        skene_handle_stripe_event(event)\n'));
  assert.equal(connect(after as string, { line: 4, column: 8, eventVariable: 'event' }), 'present');
});

test('calls the handler right after the statement when not in a try, or when a handler falls through', () => {
  const plain =
    'def hook(payload, sig):\n    evt = stripe.Webhook.construct_event(\n        payload, sig, SECRET\n    )\n    return {"ok": True}\n';
  assert.equal(
    connect(plain, { line: 2, column: 4, eventVariable: 'evt' }),
    'def hook(payload, sig):\n    evt = stripe.Webhook.construct_event(\n        payload, sig, SECRET\n    )\n    skene_handle_stripe_event(evt)\n    return {"ok": True}\n',
  );
  const fallsThrough =
    'def hook(p, s):\n    try:\n        event = stripe.Webhook.construct_event(p, s, K)\n    except ValueError:\n        log("bad")\n    return 1\n';
  assert.equal(
    connect(fallsThrough, { line: 3, column: 8, eventVariable: 'event' }),
    'def hook(p, s):\n    try:\n        event = stripe.Webhook.construct_event(p, s, K)\n        skene_handle_stripe_event(event)\n    except ValueError:\n        log("bad")\n    return 1\n',
  );
});

test('refuses when the statement is not where the analysis said', () => {
  assert.match(
    (connect(TRY_RAISE, { line: 2, column: 4, eventVariable: 'event' }) as { refused: string }).refused,
    /no "event = /,
  );
});

test('a try whose body and handlers all return: the call goes before the return, where every verified event passes', () => {
  const source = [
    'async def webhook(request: Request):',
    '    try:',
    '        event = stripe.Webhook.construct_event(await request.body(), sig, SECRET)',
    '        return await process(event)',
    '    except ValueError:',
    '        return Response(status_code=400)',
    '',
  ].join('\n');
  const after = connect(source, { line: 3, column: 8, eventVariable: 'event' });
  assert.equal(after, source.replace('SECRET)\n', 'SECRET)\n        skene_handle_stripe_event(event)\n'));
});
