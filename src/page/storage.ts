import type { KeyValueStorage } from './logic/feedback-queue';

/** localStorage that never throws (private browsing, disabled storage, quota): reads give null, writes are dropped. */
export class SafeStorage {
  constructor(private readonly backing: KeyValueStorage | undefined) {}

  static local(): SafeStorage {
    try {
      return new SafeStorage(window.localStorage);
    } catch {
      return new SafeStorage(undefined);
    }
  }

  /** The raw storage for the feedback queue (which handles failures itself), or an in-memory one. */
  get raw(): KeyValueStorage {
    if (this.backing) return this.backing;
    const memory = new Map<string, string>();
    return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v), removeItem: (k) => void memory.delete(k) };
  }

  get(key: string): string | null {
    try {
      return this.backing?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  set(key: string, value: string): void {
    try {
      this.backing?.setItem(key, value);
    } catch {
      // not remembered: fine
    }
  }

  remove(key: string): void {
    try {
      this.backing?.removeItem(key);
    } catch {
      // nothing to do
    }
  }
}
