/**
 * The `ssh` tunnel: an `ssh -R` done with the pure-JS ssh2 client. The server listens on a port (or, for services such
 * as localhost.run and pinggy, on a public HTTPS name) and hands every connection to us as a channel, which we pipe to
 * the preview's own HTTP server. One `open` is one attempt; the TunnelKeeper retries.
 *
 * Which server to trust (the pinned host key or trust-on-first-use) is decided in ssh-host-key.ts; the public URL is
 * made or read in ssh-public-url.ts.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import * as net from 'node:net';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { hostKeyTrust, type HostKeyTrust } from './ssh-host-key';
import { PrintedUrlWatcher, publicUrlFromTemplate } from './ssh-public-url';
import { TunnelError, type OpenTunnel, type OpenTunnelEvents, type TunnelHint, type TunnelProvider, type TunnelTarget } from './tunnel-provider';
import { settlesWithin } from '../../shared/settles-within';

export interface SshTunnelOptions {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  privateKeyFile?: string;
  passphrase?: string;
  /** The ssh agent: a socket path (SSH_AUTH_SOCK), a Windows named pipe, or `pageant` (see `defaultSshAgent`). */
  agent?: string;
  /**
   * The server's host key: `ssh-ed25519 AAAA...`, known_hosts line(s) (`ssh-keyscan` output works), or `SHA256:...`;
   * several lines = any of them. Or `'trust-on-first-use'`, which needs `knownHostsFile`.
   */
  hostKey?: string;
  /** What the user calls `hostKey` where they set it, for messages: `--ssh-host-key` on the CLI (default `hostKey`). */
  hostKeySetting?: string;
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

/** The Windows OpenSSH agent service's named pipe: where Windows' own ssh finds keys when SSH_AUTH_SOCK is unset. */
export const WINDOWS_OPENSSH_AGENT = '\\\\.\\pipe\\openssh-ssh-agent';

/**
 * The ssh agent to ask for keys when no key file is given. SSH_AUTH_SOCK when set: a Unix socket, or on Windows a
 * named pipe, a Git-for-Windows/Cygwin socket or `pageant` (ssh2 handles each). Otherwise, on Windows, the OpenSSH
 * agent service's pipe, as `ssh` there does; elsewhere none.
 */
export function defaultSshAgent(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SSH_AUTH_SOCK) return env.SSH_AUTH_SOCK;
  return process.platform === 'win32' ? WINDOWS_OPENSSH_AGENT : undefined;
}

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

/**
 * ssh2 is loaded when an ssh tunnel is first opened, not when the server starts: most previews never use it, and
 * loading it costs the server process several MB (its WebAssembly Poly1305 alone reserves a 16 MB memory).
 */
const loadSsh2 = async () => (await import('ssh2')).default; // a CommonJS module: `default` is its exports

/** Everything `open` needs, checked once before connecting. */
interface Plan {
  ssh2: Awaited<ReturnType<typeof loadSsh2>>;
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
  if (!options.urlFromOutput) publicUrlFromTemplate(options.urlTemplate, options.host, 1); // throws if malformed
  const ssh2 = await loadSsh2();
  let privateKey: Buffer | undefined;
  if (options.privateKeyFile) {
    try {
      privateKey = await readFile(options.privateKeyFile);
    } catch (err) {
      throw new TunnelError(`cannot read the ssh key file ${options.privateKeyFile}: ${(err as Error).message}`, true);
    }
    const parsed = ssh2.utils.parseKey(privateKey, options.passphrase);
    if (parsed instanceof Error) {
      const why = /passphrase|decrypt|bad/i.test(parsed.message) ? 'wrong or missing passphrase' : parsed.message;
      throw new TunnelError(`cannot use the ssh key file ${options.privateKeyFile}: ${why}`, true);
    }
  }
  const trust = await hostKeyTrust(options, port, where);
  return { ssh2, options, where, port, privateKey, trust, readyTimeoutMs: options.readyTimeoutMs ?? 15_000 };
}

/**
 * 'localhost', as `ssh -R port:...` asks; but for an ssh host that is a loopback address (the URL then names it) that
 * address: sshd binds 'localhost' on ::1 and 127.0.0.1 and, asked for port 0, gives both the port ::1 got, saying yes
 * even when 127.0.0.1 had that port taken by another listener, so the printed URL reached a stranger.
 */
function defaultBindHost(host: string): string {
  return net.isIP(host) && (host === '::1' || host.startsWith('127.')) ? host : 'localhost';
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
  private readonly client: Client;
  private readonly forwarded = new Set<{ local: net.Socket; channel?: ClientChannel }>();
  private readonly bindHost: string;
  private boundPort?: number;
  private state: 'opening' | 'open' | 'closed' = 'opening';
  private connectionClosed = false;
  private lastError?: TunnelError;
  private closing?: Promise<void>;

  constructor(private readonly plan: Plan, private readonly target: TunnelTarget) {
    super();
    this.client = new plan.ssh2.Client();
    this.bindHost = plan.options.remoteBindHost ?? defaultBindHost(plan.options.host);
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
    this.url = options.urlFromOutput ? await this.urlFromOutput(setTimer) : publicUrlFromTemplate(options.urlTemplate, options.host, port);
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
    return new Promise((resolve, reject) => {
      const watcher = new PrintedUrlWatcher(options.urlPattern, resolve);
      setTimer(setTimeout(() => {
        reject(new TunnelError(`the ssh server ${where} printed no tunnel URL within ${readyTimeoutMs / 1000} s${watcher.describePrinted()}`));
      }, readyTimeoutMs));
      try {
        this.client.shell(false, (err, channel) => {
          if (err) {
            reject(new TunnelError(`the ssh server ${where} refused a session channel (needed to read the tunnel URL): ${err.message}`));
            return;
          }
          watcher.watch(channel, 'stdout');
          watcher.watch(channel.stderr, 'stderr');
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
      await settlesWithin(new Promise<void>((resolve) => {
        try {
          this.client.unforwardIn(this.bindHost, this.boundPort!, () => resolve());
        } catch {
          resolve(); // not connected any more
        }
      }), 2_000);
    }
    this.client.end();
    if (!(await settlesWithin(closed, 2_000))) this.client.destroy();
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
    case 'agent': {
      const hint = options.agent === WINDOWS_OPENSSH_AGENT
        ? ': is the "OpenSSH Authentication Agent" service running (`Start-Service ssh-agent`) with your key added (`ssh-add`)? Or give the tunnel a key file'
        : '';
      return new TunnelError(`cannot use the ssh agent at ${options.agent}: ${err.message}${hint}`, true);
    }
    case 'client-timeout':
      if (/keepalive/i.test(err.message)) {
        return new TunnelError(`the ssh server ${where} stopped answering (${options.keepaliveCountMax ?? 3} keepalives unanswered)`);
      }
      return new TunnelError(`the ssh server ${where} did not complete the handshake and login within ${plan.readyTimeoutMs / 1000} s`);
    case 'handshake':
      // No common algorithm, a bad signature: a retry meets the same server and fails the same way.
      return plan.trust.handshakeRefusal(err.message) ?? new TunnelError(`the ssh handshake with ${where} failed: ${err.message}`, true);
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
