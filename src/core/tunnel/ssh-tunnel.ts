/**
 * The `ssh` tunnel: an `ssh -R` done with the pure-JS ssh2 client. The server listens on a port (or, for services such
 * as localhost.run and pinggy, on a public HTTPS name) and hands every connection to us as a channel, which we pipe to
 * the preview's own HTTP server. One `open` is one attempt; the TunnelKeeper retries.
 *
 * Trust: the server's host key must be pinned (a public key, a known_hosts line or an OpenSSH `SHA256:` fingerprint),
 * or the caller must explicitly choose trust-on-first-use with a known_hosts file of its own. Without that, anyone on
 * the path could pose as the server and read every request the public sends.
 */
import { createHash, createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { appendFile, readFile } from 'node:fs/promises';
import * as net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { Client, utils, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import { TunnelError, type OpenTunnel, type OpenTunnelEvents, type TunnelHint, type TunnelProvider, type TunnelTarget } from './tunnel-provider';

/** `hostKey` value that accepts an unknown server's key once and records it in `knownHostsFile`. */
export const TRUST_ON_FIRST_USE = 'trust-on-first-use';

export interface SshTunnelOptions {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  privateKeyFile?: string;
  passphrase?: string;
  /** Path of an ssh agent's socket (SSH_AUTH_SOCK). */
  agent?: string;
  /**
   * The server's host key: `ssh-ed25519 AAAA...`, known_hosts line(s) (`ssh-keyscan` output works), or `SHA256:...`;
   * several lines = any of them. Or `'trust-on-first-use'`, which needs `knownHostsFile`.
   */
  hostKey?: string;
  /** known_hosts file read and appended to by trust-on-first-use (it may be ~/.ssh/known_hosts). */
  knownHostsFile?: string;
  /**
   * Address the server listens on for us. Default 'localhost' (what `ssh -R port:...` asks for); '' or '0.0.0.0' for
   * all interfaces, which an OpenSSH server grants only with `GatewayPorts clientspecified`.
   */
  remoteBindHost?: string;
  /** Port the server listens on; 0 (default) lets the server choose. */
  remotePort?: number;
  /** The public URL for a server we own: placeholders {host} (the ssh host) and {port} (the bound port). */
  urlTemplate?: string;
  /** Read the public URL from what the server prints on a shell channel (localhost.run, pinggy). */
  urlFromOutput?: boolean;
  /** Which printed URL is the tunnel's (a service's banner also links its docs). Default: the first http(s) URL. */
  urlPattern?: RegExp;
  /** Default 1000: with the default count a dead server is noticed in ~4 s. */
  keepaliveIntervalMs?: number;
  /** Default 3. */
  keepaliveCountMax?: number;
  /** Handshake + login, and separately the wait for a printed URL. Default 15000. */
  readyTimeoutMs?: number;
}

const DEFAULT_TEMPLATE = 'http://{host}:{port}/';
const DEFAULT_URL_PATTERN = /https?:\/\/[^\s"'<>`]+/i;

/** ssh2 error objects carry where they came from in `level`. */
type Ssh2Error = Error & { level?: string; code?: string | number };

export class SshTunnelProvider implements TunnelProvider {
  readonly name = 'ssh';

  constructor(private readonly options: SshTunnelOptions) {}

  async open(target: TunnelTarget, signal: AbortSignal, hint?: TunnelHint): Promise<OpenTunnel> {
    const where = `${this.options.host}:${this.options.port ?? 22}`;
    if (signal.aborted) throw abortError(signal, where);
    const plan = await prepare(this.options, where); // config mistakes are permanent and need no network
    if (signal.aborted) throw abortError(signal, where);
    return new SshOpenTunnel(plan, target).start(signal, hintedPort(hint));
  }
}

/** Everything `open` needs, checked once before connecting. */
interface Plan {
  options: SshTunnelOptions;
  where: string;
  port: number;
  privateKey?: Buffer;
  trust: HostKeyTrust;
  readyTimeoutMs: number;
}

async function prepare(options: SshTunnelOptions, where: string): Promise<Plan> {
  const port = options.port ?? 22;
  if (!options.host || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new TunnelError(`the ssh tunnel needs a host and a port between 1 and 65535 (got ${where})`, true);
  }
  if (options.remotePort !== undefined && !(Number.isInteger(options.remotePort) && options.remotePort >= 0 && options.remotePort <= 65_535)) {
    throw new TunnelError(`the ssh tunnel's remotePort must be 0 (server chooses) or a port number, not ${options.remotePort}`, true);
  }
  if (!options.urlFromOutput) publicUrlFromTemplate(options.urlTemplate ?? DEFAULT_TEMPLATE, options.host, 1); // throws if malformed
  let privateKey: Buffer | undefined;
  if (options.privateKeyFile) {
    try {
      privateKey = await readFile(options.privateKeyFile);
    } catch (err) {
      throw new TunnelError(`cannot read the ssh key file ${options.privateKeyFile}: ${(err as Error).message}`, true);
    }
    const parsed = utils.parseKey(privateKey, options.passphrase);
    if (parsed instanceof Error) {
      const why = /passphrase|decrypt|bad/i.test(parsed.message) ? 'wrong or missing passphrase' : parsed.message;
      throw new TunnelError(`cannot use the ssh key file ${options.privateKeyFile}: ${why}`, true);
    }
  }
  const trust = await hostKeyTrust(options, port, where);
  return { options, where, port, privateKey, trust, readyTimeoutMs: options.readyTimeoutMs ?? 15_000 };
}

/** The remote port a previous open got, so a reconnect asks for it again and keeps its URL. */
function hintedPort(hint: TunnelHint | undefined): number | undefined {
  const port = hint?.remotePort;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65_535 ? port : undefined;
}

/** One connection: opening it, serving forwarded connections, noticing its end, closing it. */
class SshOpenTunnel extends EventEmitter<OpenTunnelEvents> implements OpenTunnel {
  url = '';
  hint?: TunnelHint;
  private readonly client = new Client();
  private readonly forwarded = new Set<{ local: net.Socket; channel?: ClientChannel }>();
  private readonly bindHost: string;
  private boundPort?: number;
  private state: 'opening' | 'open' | 'closed' = 'opening';
  private connectionClosed = false;
  private lastError?: TunnelError;
  private closing?: Promise<void>;

  constructor(private readonly plan: Plan, private readonly target: TunnelTarget) {
    super();
    this.bindHost = plan.options.remoteBindHost ?? 'localhost';
  }

  start(signal: AbortSignal, wantedPort: number | undefined): Promise<OpenTunnel> {
    const { options, where } = this.plan;
    return new Promise<OpenTunnel>((resolve, reject) => {
      let urlTimer: NodeJS.Timeout | undefined;
      const settle = (err?: TunnelError) => {
        signal.removeEventListener('abort', onAbort);
        clearTimeout(urlTimer);
        if (this.state !== 'opening') return;
        if (err) {
          this.state = 'closed';
          this.destroyForwarded();
          this.client.destroy();
          reject(err);
        } else {
          this.state = 'open';
          resolve(this);
        }
      };
      const onAbort = () => settle(abortError(signal, where));
      signal.addEventListener('abort', onAbort, { once: true });

      this.client.on('error', (err: Ssh2Error) => {
        this.lastError = this.plan.trust.refusal() ?? describeError(err, this.plan);
        if (this.state === 'opening') settle(this.lastError);
      });
      this.client.on('close', () => {
        this.connectionClosed = true;
        if (this.state === 'opening') {
          settle(this.lastError ?? new TunnelError(`the ssh server ${where} closed the connection before the tunnel was ready`));
        } else if (this.state === 'open') {
          this.state = 'closed';
          this.destroyForwarded();
          const reason = this.lastError?.message ?? `the ssh server ${where} closed the connection`;
          this.emit('close', reason);
        }
      });
      this.client.on('tcp connection', (_info, accept, rejectChannel) => this.forward(accept, rejectChannel));
      this.client.on('ready', () => {
        void this.afterLogin(wantedPort, (timer) => (urlTimer = timer)).then(
          () => settle(),
          (err: Error) => settle(err instanceof TunnelError ? err : new TunnelError(`opening the ssh tunnel to ${where} failed: ${err.message}`)),
        );
      });

      // Our own socket, so that Nagle is off from the first byte: with it on, every forwarded request waited ~40 ms.
      const sock = net.connect({ host: options.host, port: this.plan.port });
      sock.setNoDelay(true);
      const config: ConnectConfig = {
        sock,
        username: options.username,
        privateKey: this.plan.privateKey,
        passphrase: options.passphrase,
        agent: options.agent,
        hostVerifier: (key: Buffer) => this.plan.trust.verify(key),
        algorithms: this.plan.trust.algorithms ? { serverHostKey: this.plan.trust.algorithms } : undefined,
        keepaliveInterval: options.keepaliveIntervalMs ?? 1000,
        keepaliveCountMax: options.keepaliveCountMax ?? 3,
        readyTimeout: this.plan.readyTimeoutMs,
      };
      try {
        this.client.connect(config);
      } catch (err) {
        sock.destroy();
        settle(new TunnelError(`cannot start the ssh connection to ${where}: ${(err as Error).message}`, true));
      }
    });
  }

  /** Logged in: record a first-use host key, ask for the port, find the public URL. */
  private async afterLogin(wantedPort: number | undefined, setTimer: (timer: NodeJS.Timeout) => void): Promise<void> {
    const { options, where } = this.plan;
    await this.plan.trust.recordIfNew();
    const configured = options.remotePort ?? 0;
    let port: number;
    try {
      port = await this.forwardIn(wantedPort ?? configured);
    } catch (err) {
      // The old session may still hold the hinted port (the server has not noticed our dead connection yet): a new
      // port and URL beat no tunnel at all.
      if (wantedPort === undefined || wantedPort === configured) throw err;
      port = await this.forwardIn(configured);
    }
    this.boundPort = port;
    this.hint = { remotePort: port };
    this.url = options.urlFromOutput ? await this.urlFromOutput(setTimer) : publicUrlFromTemplate(options.urlTemplate ?? DEFAULT_TEMPLATE, options.host, port);
    if (this.state !== 'opening') throw new TunnelError(`the ssh connection to ${where} ended while the tunnel was opening`);
  }

  private forwardIn(port: number): Promise<number> {
    const { where } = this.plan;
    return new Promise((resolve, reject) => {
      try {
        this.client.forwardIn(this.bindHost, port, (err, bound) => {
          if (err) {
            reject(new TunnelError(`the ssh server ${where} refused to listen on ${this.bindHost}:${port} for us: the port may be taken, or the server forbids remote forwarding (AllowTcpForwarding, PermitListen)`));
          } else {
            resolve(bound);
          }
        });
      } catch (err) {
        reject(new TunnelError(`the ssh connection to ${where} ended before the port was forwarded: ${(err as Error).message}`));
      }
    });
  }

  /** Opens a shell channel (no pty) and waits for the server to print the tunnel's URL, as `ssh -R` users read it. */
  private urlFromOutput(setTimer: (timer: NodeJS.Timeout) => void): Promise<string> {
    const { options, where, readyTimeoutMs } = this.plan;
    const given = options.urlPattern ?? DEFAULT_URL_PATTERN;
    const pattern = new RegExp(given.source, given.flags.replace(/[gy]/g, '')); // no lastIndex state between scans
    return new Promise((resolve, reject) => {
      const printed = { stdout: '', stderr: '' };
      let found = false;
      setTimer(setTimeout(() => {
        const text = stripTerminalCodes(printed.stdout + printed.stderr).trim();
        const shown = text ? `; it printed: ${JSON.stringify(text.slice(0, 300))}` : '; it printed nothing';
        reject(new TunnelError(`the ssh server ${where} printed no tunnel URL within ${readyTimeoutMs / 1000} s${shown}`));
      }, readyTimeoutMs));
      const scan = (text: string, ended: boolean) => {
        const match = pattern.exec(text);
        // A URL that runs to the end of what has arrived may go on in the next chunk.
        if (!match || (!ended && match.index + match[0].length >= text.length)) return;
        try {
          const url = normalisePublicUrl(match[0].replace(/[.,;:!?)\]}]+$/, ''));
          found = true;
          resolve(url);
        } catch {
          // matched something that is no http(s) URL: keep waiting
        }
      };
      const watch = (stream: NodeJS.ReadableStream, which: 'stdout' | 'stderr') => {
        const decoder = new StringDecoder('utf8'); // a chunk may end inside a multi-byte character
        stream.on('data', (chunk: Buffer) => {
          if (found || printed[which].length > 16_384) return; // keep draining: services go on printing
          printed[which] += decoder.write(chunk);
          scan(stripTerminalCodes(printed[which]), false);
        });
        stream.on('end', () => {
          if (!found) scan(stripTerminalCodes(printed[which]), true);
        });
      };
      try {
        this.client.shell(false, (err, channel) => {
          if (err) {
            reject(new TunnelError(`the ssh server ${where} refused a session channel (needed to read the tunnel URL): ${err.message}`));
            return;
          }
          watch(channel, 'stdout');
          watch(channel.stderr, 'stderr');
          channel.on('error', () => undefined); // the connection's own handlers report what went wrong
        });
      } catch (err) {
        reject(new TunnelError(`the ssh connection to ${where} ended before the tunnel URL arrived: ${(err as Error).message}`));
      }
    });
  }

  /** One visitor connection: pipe the server's channel to a fresh socket to the preview. */
  private forward(accept: () => ClientChannel, rejectChannel: () => void): void {
    if (this.state === 'closed') {
      rejectChannel();
      return;
    }
    const local = net.connect({ host: this.target.localHost, port: this.target.localPort });
    local.setNoDelay(true); // each small HTTP answer goes out at once, not after the peer's delayed ACK
    const pair: { local: net.Socket; channel?: ClientChannel } = { local };
    this.forwarded.add(pair);
    local.once('connect', () => {
      if (this.state === 'closed') {
        local.destroy();
        rejectChannel();
        return;
      }
      const channel = accept();
      pair.channel = channel;
      channel.pipe(local);
      local.pipe(channel);
      channel.on('error', () => local.destroy());
      // The visitor is gone: let what the preview already wrote drain, then let go (a preview that never closes its
      // side must not pin the socket for ever).
      channel.once('close', () => {
        local.end();
        setTimeout(() => local.destroy(), 5_000).unref();
      });
    });
    // A broken visitor connection ends only itself, never the tunnel.
    local.on('error', () => {
      if (pair.channel) pair.channel.destroy();
      else rejectChannel();
    });
    local.once('close', () => this.forwarded.delete(pair));
  }

  private destroyForwarded(): void {
    for (const { local, channel } of this.forwarded) {
      local.destroy();
      channel?.destroy();
    }
    this.forwarded.clear();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.state = 'closed'; // from here on the connection's end is ours, not news: no 'close' event
    this.destroyForwarded();
    if (this.connectionClosed) return;
    const closed = new Promise<void>((resolve) => this.client.once('close', () => resolve()));
    // Ask the server to stop listening first, so the port is free when close() resolves, not some time after.
    if (this.boundPort !== undefined) {
      await withTimeout(new Promise<void>((resolve) => {
        try {
          this.client.unforwardIn(this.bindHost, this.boundPort!, () => resolve());
        } catch {
          resolve(); // not connected any more
        }
      }), 2_000);
    }
    this.client.end();
    if (!(await withTimeout(closed, 2_000))) this.client.destroy();
  }
}

/** Resolves true if `promise` settled within `ms`, false otherwise; never leaves a timer behind. */
async function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function abortError(signal: AbortSignal, where: string): TunnelError {
  const timedOut = (signal.reason as Error | undefined)?.name === 'TimeoutError';
  return new TunnelError(`opening the ssh tunnel to ${where} ${timedOut ? 'timed out' : 'was cancelled'}`);
}

/** Turns ssh2's errors into messages that say what happened and what to do. */
function describeError(err: Ssh2Error, plan: Plan): TunnelError {
  const { where, options } = plan;
  switch (err.level) {
    case 'client-authentication':
      return new TunnelError(`the ssh server ${where} refused to log in "${options.username}" with ${triedKeys(options)}: check the user name and that the public key is in the server's authorized_keys`, true);
    case 'agent':
      return new TunnelError(`cannot use the ssh agent at ${options.agent}: ${err.message}`, true);
    case 'client-timeout':
      if (/keepalive/i.test(err.message)) {
        return new TunnelError(`the ssh server ${where} stopped answering (${options.keepaliveCountMax ?? 3} keepalives unanswered)`);
      }
      return new TunnelError(`the ssh server ${where} did not complete the handshake and login within ${plan.readyTimeoutMs / 1000} s`);
    case 'handshake':
      if (plan.trust.pinnedTypes && /host key/i.test(err.message)) {
        return new TunnelError(`the ssh server ${where} has no ${plan.trust.pinnedTypes.join(' or ')} host key, the type you pinned — if the server was re-keyed, ${plan.trust.remedy}; otherwise someone may be posing as the server`, true);
      }
      // No common algorithm, a bad signature: a retry meets the same server and fails the same way.
      return new TunnelError(`the ssh handshake with ${where} failed: ${err.message}`, true);
    case 'client-socket':
    case 'client-dns':
      switch (err.code) {
        case 'ECONNREFUSED':
          return new TunnelError(`nothing accepts ssh connections at ${where} (connection refused)`);
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
          return new TunnelError(`cannot find the ssh server ${options.host} (DNS lookup failed: ${err.code})`);
        default:
          return new TunnelError(`cannot reach the ssh server ${where}: ${err.message}`);
      }
    default:
      // OpenSSH hangs up after MaxAuthTries keys (an agent full of keys): as final as a refused login.
      if (/too many authentication failures/i.test(err.message)) {
        return new TunnelError(`the ssh server ${where} refused to log in "${options.username}" after too many keys were tried (${triedKeys(options)}): give the tunnel one key file`, true);
      }
      return new TunnelError(`the ssh connection to ${where} failed: ${err.message}`);
  }
}

function triedKeys(options: SshTunnelOptions): string {
  const tried = [options.privateKeyFile && `the key ${options.privateKeyFile}`, options.agent && 'the keys in the ssh agent'].filter(Boolean);
  return tried.length > 0 ? tried.join(' and ') : 'no key';
}

// ---- the public URL ----

function publicUrlFromTemplate(template: string, host: string, port: number): string {
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host; // an IPv6 literal needs brackets
  const text = template.replaceAll('{host}', hostPart).replaceAll('{port}', String(port));
  try {
    return normalisePublicUrl(text);
  } catch {
    throw new TunnelError(`the ssh tunnel's urlTemplate ${JSON.stringify(template)} does not make an http(s) URL (placeholders: {host} {port})`, true);
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

// ---- host key trust ----

/** SHA256 fingerprint of a raw host key blob, exactly as OpenSSH prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

interface HostKeyTrust {
  /** Restricts the negotiated host key type to the pinned ones (else the server may present another of its keys). */
  algorithms?: ServerHostKeyAlgorithm[];
  /** The key types those algorithms stand for, for the message when the server has none of them. */
  pinnedTypes?: string[];
  /** What to do when the server's key changed for a good reason. */
  remedy: string;
  verify(key: Buffer): boolean;
  /** After a refused key: the error to report instead of ssh2's "Host denied". */
  refusal(): TunnelError | undefined;
  /** Trust-on-first-use: writes the key just accepted, once logged in. */
  recordIfNew(): Promise<void>;
}

interface Pins {
  blobs: Buffer[];
  fingerprints: string[];
}

/** Host key algorithm names ssh2 can negotiate for each key type. */
const ALGORITHMS_OF_TYPE: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

async function hostKeyTrust(options: SshTunnelOptions, port: number, where: string): Promise<HostKeyTrust> {
  const hostKey = options.hostKey?.trim();
  if (!hostKey) {
    throw new TunnelError(`the ssh tunnel to ${where} needs the server's host key pinned (hostKey: "ssh-ed25519 AAAA…", a known_hosts line or "SHA256:…"; \`ssh-keyscan -p ${port} ${options.host}\` prints it — check it on a trusted network), or hostKey "${TRUST_ON_FIRST_USE}" with a knownHostsFile`, true);
  }
  if (hostKey !== TRUST_ON_FIRST_USE) return pinnedTrust(parsePins(hostKey, 'hostKey'), where, 'update the tunnel\'s hostKey setting');

  const file = options.knownHostsFile;
  if (!file) throw new TunnelError(`hostKey "${TRUST_ON_FIRST_USE}" needs a knownHostsFile to record the server's key in`, true);
  const name = port === 22 ? options.host : `[${options.host}]:${port}`;
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new TunnelError(`cannot read ${file}: ${(err as Error).message}`, true);
  }
  const known = parsePins(knownHostsLinesFor(text, name).join('\n'), file);
  if (known.blobs.length > 0) return pinnedTrust(known, where, `remove the line for ${name} from ${file}`);

  // First use: take whatever key the server shows, and write it down once the login worked.
  let seen: Buffer | undefined;
  let recorded = false;
  return {
    remedy: '',
    verify: (key) => {
      seen = Buffer.from(key);
      return true;
    },
    refusal: () => undefined,
    recordIfNew: async () => {
      if (recorded || !seen) return;
      recorded = true;
      const type = seen.subarray(4, 4 + seen.readUInt32BE(0)).toString('latin1');
      try {
        await appendFile(file, `${name} ${type} ${seen.toString('base64')}\n`, { mode: 0o600 });
      } catch (err) {
        throw new TunnelError(`cannot record the ssh host key of ${where} in ${file}: ${(err as Error).message}`, true);
      }
    },
  };
}

function pinnedTrust(pins: Pins, where: string, remedy: string): HostKeyTrust {
  let refused: Buffer | undefined;
  const types = pins.blobs.map(keyType);
  const algorithms = pins.fingerprints.length === 0 && types.every((t) => t in ALGORITHMS_OF_TYPE) ? [...new Set(types.flatMap((t) => ALGORITHMS_OF_TYPE[t]))] : undefined;
  return {
    algorithms,
    pinnedTypes: algorithms && [...new Set(types)],
    remedy,
    verify: (key) => {
      const ok = pins.blobs.some((blob) => blob.equals(key)) || pins.fingerprints.includes(sshFingerprint(key));
      if (!ok) refused = Buffer.from(key);
      return ok;
    },
    refusal: () => {
      if (!refused) return undefined;
      const pinned = [...pins.blobs.map(sshFingerprint), ...pins.fingerprints].join(' or ');
      return new TunnelError(`the ssh host key of ${where} is ${sshFingerprint(refused)}, but you pinned ${pinned} — if the server was re-keyed, ${remedy}; otherwise someone may be posing as the server`, true);
    },
    recordIfNew: async () => undefined,
  };
}

function keyType(blob: Buffer): string {
  return blob.length >= 4 ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') : '';
}

/** Public keys and fingerprints out of pinned text: one per line; known_hosts host fields and comments are ignored. */
function parsePins(text: string, source: string): Pins {
  const pins: Pins = { blobs: [], fingerprints: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fingerprint = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(line);
    if (fingerprint) {
      pins.fingerprints.push(`SHA256:${fingerprint[1]}`);
      continue;
    }
    if (line.startsWith('@')) throw new TunnelError(`${source}: known_hosts markers (${line.split(/\s/)[0]}) are not supported; pin the key itself`, true);
    const tokens = line.split(/\s+/);
    const at = tokens.findIndex((t, i) => /^(ssh-|ecdsa-|sk-)/.test(t) && i + 1 < tokens.length);
    const blob = at >= 0 ? Buffer.from(tokens[at + 1], 'base64') : undefined;
    if (!blob || keyType(blob) !== tokens[at]) {
      throw new TunnelError(`${source}: ${JSON.stringify(line.slice(0, 80))} is neither an OpenSSH public key ("ssh-ed25519 AAAA…"), a known_hosts line, nor a fingerprint ("SHA256:…")`, true);
    }
    pins.blobs.push(blob);
  }
  return pins;
}

/** The lines of a known_hosts file that name `name` (plain or hashed `|1|salt|hash` host fields; no wildcards). */
function knownHostsLinesFor(text: string, name: string): string[] {
  const wanted = name.toLowerCase();
  return text.split(/\r?\n/).filter((line) => {
    const [hosts] = line.trim().split(/\s+/);
    if (!hosts || hosts.startsWith('#') || hosts.startsWith('@')) return false;
    return hosts.split(',').some((entry) => {
      if (entry.startsWith('|1|')) {
        const [, , salt, hash] = entry.split('|');
        return createHmac('sha1', Buffer.from(salt ?? '', 'base64')).update(name).digest('base64') === hash;
      }
      return entry.toLowerCase() === wanted;
    });
  });
}
