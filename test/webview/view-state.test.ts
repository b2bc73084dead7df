import assert from 'node:assert/strict';
import { applyMessage, emptyState, restoreState, STATE_VERSION } from '../../src/webview/logic/view-state';
import { versionKey } from '../../src/webview/logic/versions';
import { card } from './records';

describe('webview: the Feedback view state', () => {
  const preview = { id: 'preview-1', model: 'iris', modelVersion: 'v1' };

  it('a reset replaces everything but the filter; records merge; previews replace', () => {
    const old = card({ id: 'old' });
    let state = { ...emptyState(), cards: [old], filter: versionKey('iris', 'v1') };
    const a = card({ id: 'a', ts: '2026-01-10T12:00:01.000Z' });
    const b = card({ id: 'b', ts: '2026-01-10T12:00:02.000Z' });
    state = applyMessage(state, { type: 'reset', previews: [preview], records: [a, b] });
    assert.deepEqual(state.cards.map((c) => c.id), ['b', 'a']);
    assert.deepEqual(state.previews, [preview]);
    assert.equal(state.filter, versionKey('iris', 'v1'));

    const c = card({ id: 'c', ts: '2026-01-10T12:00:03.000Z' });
    state = applyMessage(state, { type: 'records', records: [c] });
    // After a reconnect the server replays events since the last id: some are already shown.
    state = applyMessage(state, { type: 'records', records: [b, c] });
    assert.deepEqual(state.cards.map((x) => x.id), ['c', 'b', 'a']);

    state = applyMessage(state, { type: 'previews', previews: [] });
    assert.deepEqual(state.previews, []);
    assert.equal(state.cards.length, 3);
  });

  it('keeps at most the newest N cards', () => {
    const cards = Array.from({ length: 10 }, (_, i) => card({ id: `r${i}`, ts: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }));
    const state = applyMessage(emptyState(), { type: 'records', records: cards }, 4);
    assert.deepEqual(state.cards.map((c) => c.id), ['r9', 'r8', 'r7', 'r6']);
  });

  it('does not change the state it is given', () => {
    const state = emptyState();
    applyMessage(state, { type: 'records', records: [card()] });
    assert.deepEqual(state, emptyState());
  });

  it('restores a saved state, dropping what does not check out', () => {
    const good = card({ id: 'good' });
    const saved = JSON.parse(JSON.stringify({
      stateVersion: STATE_VERSION,
      previews: [preview, { id: 1 }],
      cards: [good, { ...card(), rating: 'sideways' }, 'nonsense', good],
      filter: versionKey('iris', 'v1'),
      scrollY: 120,
    })) as unknown;
    const state = restoreState(saved);
    assert.deepEqual(state.previews, [preview]);
    assert.deepEqual(state.cards.map((c) => c.id), ['good']);
    assert.equal(state.filter, versionKey('iris', 'v1'));
    assert.equal(state.scrollY, 120);
  });

  it('starts empty from nothing, from garbage, or from another state version', () => {
    for (const saved of [undefined, null, 'x', 3, [], {}, { stateVersion: 99, cards: [card()] }]) {
      assert.deepEqual(restoreState(saved), emptyState(), JSON.stringify(saved));
    }
    const odd = restoreState({ stateVersion: STATE_VERSION, previews: 'x', cards: null, filter: 'not a key', scrollY: -5 });
    assert.deepEqual(odd, emptyState());
  });
});
