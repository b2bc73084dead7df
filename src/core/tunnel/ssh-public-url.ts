/**
 * The ssh tunnel's public URL: made from a template for a server we own, or read from what a service (localhost.run,
 * pinggy) prints on a shell channel once the port is forwarded.
 */
import { StringDecoder } from 'node:string_decoder';
import { TunnelError } from './tunnel-provider';

const DEFAULT_URL_TEMPLATE = 'http://{host}:{port}/';
const DEFAULT_URL_PATTERN = /https?:\/\/[^\s"'<>`]+/i;

/** `template` has the placeholders {host} and {port}; absent, it is the plain `http://{host}:{port}/`. */
export function publicUrlFromTemplate(template: string | undefined, host: string, port: number): string {
  const given = template ?? DEFAULT_URL_TEMPLATE;
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host; // an IPv6 literal needs brackets
  const text = given.replaceAll('{host}', hostPart).replaceAll('{port}', String(port));
  try {
    return normalisePublicUrl(text);
  } catch {
    throw new TunnelError(`the ssh tunnel's urlTemplate ${JSON.stringify(given)} does not make an http(s) URL (placeholders: {host} {port})`, true);
  }
}

/**
 * Watches what the server prints and calls `onUrl` once with the first URL matching `urlPattern` (default: the first
 * http(s) URL; a service's banner also links its docs).
 */
export class PrintedUrlWatcher {
  private readonly pattern: RegExp;
  private readonly printed = { stdout: '', stderr: '' };
  private found = false;

  constructor(urlPattern: RegExp | undefined, private readonly onUrl: (url: string) => void) {
    const given = urlPattern ?? DEFAULT_URL_PATTERN;
    this.pattern = new RegExp(given.source, given.flags.replace(/[gy]/g, '')); // no lastIndex state between scans
  }

  watch(stream: NodeJS.ReadableStream, which: 'stdout' | 'stderr'): void {
    const decoder = new StringDecoder('utf8'); // a chunk may end inside a multi-byte character
    stream.on('data', (chunk: Buffer) => {
      if (this.found || this.printed[which].length > 16_384) return; // keep draining: services go on printing
      this.printed[which] += decoder.write(chunk);
      this.scan(stripTerminalCodes(this.printed[which]), false);
    });
    stream.on('end', () => {
      if (!this.found) this.scan(stripTerminalCodes(this.printed[which]), true);
    });
  }

  /** For the message when no URL came: what was printed so far (its start). */
  describePrinted(): string {
    const text = stripTerminalCodes(this.printed.stdout + this.printed.stderr).trim();
    return text ? `; it printed: ${JSON.stringify(text.slice(0, 300))}` : '; it printed nothing';
  }

  private scan(text: string, ended: boolean): void {
    const match = this.pattern.exec(text);
    // A URL that runs to the end of what has arrived may go on in the next chunk.
    if (!match || (!ended && match.index + match[0].length >= text.length)) return;
    try {
      const url = normalisePublicUrl(match[0].replace(/[.,;:!?)\]}]+$/, ''));
      this.found = true;
      this.onUrl(url);
    } catch {
      // matched something that is no http(s) URL: keep waiting
    }
  }
}

/** An http(s) base URL ending in '/', without query or fragment (tokens are added later, never carried here). */
function normalisePublicUrl(text: string): string {
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** Colours and cursor moves that services print around their URL (pinggy, localhost.run). */
function stripTerminalCodes(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '');
}
