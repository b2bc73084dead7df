import assert from 'node:assert/strict';
import { EventHub } from '../../src/core/events/event-hub';
import type { PreviewEvent, StreamedEvent } from '../../src/shared/events';

const prediction = (n: number): PreviewEvent => ({
  event: 'prediction', ts: new Date(0).toISOString(), predictionId: `p${n}`, model: 'iris', modelVersion: 'v1', inferenceMs: n,
});

describe('unit: EventHub', () => {
  it('numbers events from 1 and tells listeners, with an 8-character epoch', () => {
    const hub = new EventHub();
    const heard: StreamedEvent[] = [];
    hub.on('event', (e) => heard.push(e));
    assert.match(hub.epoch, /^[0-9a-f]{8}$/);
    assert.equal(hub.latestId, 0);
    const first = hub.publish(prediction(1));
    const second = hub.publish(prediction(2));
    assert.deepEqual([first.id, second.id, hub.latestId], [1, 2, 2]);
    assert.deepEqual(heard, [first, second]);
    assert.equal((first as { predictionId: string }).predictionId, 'p1');
    assert.notEqual(new EventHub().epoch, hub.epoch, 'every server run has its own epoch');
  });

  it('since() on an empty hub is empty', () => {
    const hub = new EventHub();
    assert.deepEqual(hub.since(0), []);
  });

  it('since(id) gives exactly the events after id, and nothing at or after the latest', () => {
    const hub = new EventHub();
    for (let i = 1; i <= 5; i++) hub.publish(prediction(i));
    assert.deepEqual(hub.since(0)!.map((e) => e.id), [1, 2, 3, 4, 5]);
    assert.deepEqual(hub.since(3)!.map((e) => e.id), [4, 5]);
    assert.deepEqual(hub.since(4)!.map((e) => (e as { predictionId: string }).predictionId), ['p5']);
    assert.deepEqual(hub.since(5), []);
  });

  it('since() answers undefined once events after id are no longer held (10 000 kept)', () => {
    const hub = new EventHub();
    for (let i = 1; i <= 10_002; i++) hub.publish(prediction(i));
    assert.equal(hub.since(0), undefined, 'events 1 and 2 were dropped');
    assert.equal(hub.since(1), undefined, 'event 2 was dropped');
    const fromTwo = hub.since(2)!;
    assert.equal(fromTwo.length, 10_000);
    assert.deepEqual([fromTwo[0].id, fromTwo.at(-1)!.id], [3, 10_002]);
    assert.deepEqual(hub.since(10_000)!.map((e) => e.id), [10_001, 10_002]);
  });
});
