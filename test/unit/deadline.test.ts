import * as assert from 'node:assert/strict';
import { deadline } from '../../src/core/tunnel/deadline';
import { collectGarbage } from '../helpers/collect-garbage';

describe('deadline: the bound on a tunnel open', () => {
  it('aborts at the timeout even when a garbage collection runs before it (what AbortSignal.any + AbortSignal.timeout lost in Node 20)', async () => {
    const bound = deadline(new AbortController().signal, 100);
    const aborted = new Promise<unknown>((resolve) => bound.signal.addEventListener('abort', () => resolve(bound.signal.reason)));
    setTimeout(collectGarbage, 20);
    const reason = await aborted;
    assert.equal((reason as DOMException).name, 'TimeoutError');
    bound.done();
  });

  it('aborts with the caller\'s reason when the caller aborts first, also when it had aborted already', () => {
    const caller = new AbortController();
    const bound = deadline(caller.signal, 60_000);
    caller.abort(new Error('stopping'));
    assert.equal(bound.signal.aborted, true);
    assert.equal((bound.signal.reason as Error).message, 'stopping');
    bound.done();
    assert.equal(deadline(AbortSignal.abort('gone'), 60_000).signal.reason, 'gone');
  });

  it('done(): neither the timer nor the caller aborts it afterwards', async () => {
    const caller = new AbortController();
    const bound = deadline(caller.signal, 20);
    bound.done();
    caller.abort();
    await new Promise((resolve) => setTimeout(resolve, 40)); // past the timeout that was cleared: this tests real time
    assert.equal(bound.signal.aborted, false);
  });
});
