/** One message of the try-it page's event stream, as a browser's EventSource would hand it over. */
export interface PageEventMessage {
  name: string;
  data: unknown;
}

/**
 * A share visitor's `GET /api/page-events`, read the way EventSource reads it (events split on blank lines, `event:`
 * and `data:` fields), for server tests that check what a visitor hears. `ended` settles when the server ends it.
 */
export class PageEventStream {
  readonly messages: PageEventMessage[] = [];
  /** Every byte received, to check nothing else slipped in. */
  raw = '';
  readonly ended: Promise<void>;
  private readonly controller = new AbortController();
  private waiters: Array<() => void> = [];

  private constructor(readonly status: number, readonly contentType: string | null, readonly body: string, stream?: ReadableStream<Uint8Array>) {
    this.ended = stream ? this.read(stream) : Promise.resolve();
  }

  static async open(baseUrl: string, headers: Record<string, string>): Promise<PageEventStream> {
    const controller = new AbortController();
    const res = await fetch(`${baseUrl}/api/page-events`, { headers, signal: controller.signal });
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) return new PageEventStream(res.status, res.headers.get('content-type'), await res.text());
    const stream = new PageEventStream(res.status, res.headers.get('content-type'), '', res.body!);
    stream.controller.signal.addEventListener('abort', () => controller.abort());
    return stream;
  }

  /** Waits until a message named `name` has arrived (or throws after `timeoutMs`). */
  async next(name: string, timeoutMs = 5_000): Promise<PageEventMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => m.name === name);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${name}" on the page's event stream within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.controller.abort();
  }

  private async read(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of stream) {
        const text = decoder.decode(chunk, { stream: true });
        this.raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let name = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) name = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          this.messages.push({ name, data: JSON.parse(data.join('\n')) });
        }
        for (const wake of this.waiters.splice(0)) wake();
      }
    } catch {
      // aborted by close()
    }
    for (const wake of this.waiters.splice(0)) wake();
  }
}
