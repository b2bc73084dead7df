import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PreviewEvent, StreamedEvent } from '../../shared/events';

/** Events kept for subscribers that reconnect and ask for what they missed. */
const KEPT = 10_000;

/**
 * A preview's events, numbered. Subscribers that drop (a laptop sleeping, a tunnel reconnecting) resume with the last
 * id they saw: `since()` gives what they missed while it is still held. The epoch names this server run, since ids
 * start again at 1 when the server restarts.
 */
export class EventHub extends EventEmitter<{ event: [StreamedEvent] }> {
  readonly epoch = randomUUID().slice(0, 8);
  private readonly kept: StreamedEvent[] = [];
  private lastId = 0;

  constructor() {
    super();
    this.setMaxListeners(0); // one listener per connected subscriber: many are fine, not a leak
  }

  get latestId(): number {
    return this.lastId;
  }

  publish(event: PreviewEvent): StreamedEvent {
    const numbered = { ...event, id: ++this.lastId } as StreamedEvent;
    this.kept.push(numbered);
    if (this.kept.length > KEPT) this.kept.shift();
    this.emit('event', numbered);
    return numbered;
  }

  /** Events after `id`, or undefined when some of them are no longer held. */
  since(id: number): StreamedEvent[] | undefined {
    if (id >= this.lastId) return [];
    const first = this.kept[0]?.id ?? this.lastId + 1;
    if (id < first - 1) return undefined;
    return this.kept.slice(id - first + 1);
  }
}
