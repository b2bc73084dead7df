/**
 * A real OpenSSH server for the ssh tunnel tests: `sshd -D -e -f <config>` on 127.0.0.1, with its own host key, its own
 * client key and its own config in a fresh temp folder — never the system's sshd config or anybody's real keys. It
 * only lets the current user in, with the generated key. It can be stopped and started again on the same port (the
 * reconnect test) and frozen (SIGSTOP: a server that stops answering, which only keepalives notice).
 * Every wait has a timeout: a broken sshd must fail the test, not hang it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const SSHD = '/usr/sbin/sshd'; // sshd re-executes itself and insists on an absolute path
const SSH_KEYGEN = 'ssh-keygen';

export interface ThrowawaySshdOptions {
  /**
   * Printed on the session channel to whoever opens a shell (as localhost.run prints its URL): sshd's ForceCommand.
   * Parts of an array are printed 200 ms apart, so that they arrive as separate chunks.
   */
  printOnLogin?: { stdout?: string | string[]; stderr?: string };
}

export interface ThrowawaySshd {
  readonly host: string;
  readonly port: number;
  /** The temp folder holding config, keys and pid file; removed by dispose(). */
  readonly dir: string;
  readonly username: string;
  /** Private key the server accepts (ed25519, no passphrase). */
  readonly clientKeyPath: string;
  /** The server's public host key as `ssh-ed25519 AAAA...`. */
  readonly hostKeyLine: string;
  /** The server's host key fingerprint as OpenSSH prints it (`SHA256:...`), computed by ssh-keygen, not by our code. */
  readonly hostKeyFingerprint: string;
  /** What sshd printed on stderr (for failure messages). */
  log(): string;
  /** Starts sshd (again) on the same port; resolves when it listens. */
  start(): Promise<void>;
  /** SIGKILLs sshd and every per-connection child: clients see their connections drop at once. */
  stop(): Promise<void>;
  /** SIGSTOPs sshd and its children: connections stay open but nothing answers (only keepalives notice). */
  freeze(): void;
  /** stop() and remove the temp folder. */
  dispose(): Promise<void>;
}

/** Runs a program with a timeout; rejects with its stderr. */
function run(file: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Makes a key pair `<dir>/<name>` + `.pub` without passphrase; returns the private key's path. */
export async function makeKeyPair(dir: string, name: string, type: 'ed25519' | 'ecdsa' = 'ed25519'): Promise<string> {
  const file = path.join(dir, name);
  await run(SSH_KEYGEN, ['-q', '-t', type, '-N', '', '-C', `throwaway-${name}`, '-f', file]);
  return file;
}

/** `SHA256:...` of a public key file, as ssh-keygen prints it. */
export async function fingerprintOf(publicKeyFile: string): Promise<string> {
  const out = await run(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', publicKeyFile]);
  const match = /SHA256:[A-Za-z0-9+/]+/.exec(out);
  if (!match) throw new Error(`no fingerprint in ssh-keygen output: ${out}`);
  return match[0];
}

/** A port nobody listens on right now (the kernel's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The state letter and parent of a process, from /proc/<pid>/stat (the name in parentheses may hold spaces). */
function procStat(pid: number | string): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined; // the process ended while we looked
  }
}

/** Every live descendant of `pid` (sshd's per-connection children call setsid: a process group would miss them). */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

const alive = (pid: number): boolean => {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
};

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export async function startThrowawaySshd(options: ThrowawaySshdOptions = {}): Promise<ThrowawaySshd> {
  if (!existsSync(SSHD)) {
    throw new Error(`OpenSSH server not found at ${SSHD}: the ssh tunnel tests need a real sshd. Install it with \`apt-get install openssh-server\`.`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'throwaway-sshd-'));
  try {
    return await setUp(dir, options);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function setUp(dir: string, options: ThrowawaySshdOptions): Promise<ThrowawaySshd> {
  const username = os.userInfo().username;
  const isRoot = process.getuid?.() === 0;
  if (isRoot) await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation folder

  const [hostKey, clientKeyPath] = await Promise.all([makeKeyPair(dir, 'host_ed25519'), makeKeyPair(dir, 'client_ed25519')]);
  const hostKeyLine = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const hostKeyFingerprint = await fingerprintOf(`${hostKey}.pub`);
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(`${clientKeyPath}.pub`), { mode: 0o600 });

  const port = await freePort();
  const config = [
    `ListenAddress 127.0.0.1:${port}`,
    `HostKey ${hostKey}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'StrictModes no', // the temp folder's modes are not sshd's business
    'UsePAM no',
    `PermitRootLogin ${isRoot ? 'yes' : 'no'}`, // CI runs the tests as root
    `AllowUsers ${username}`,
    'AuthenticationMethods publickey',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding yes',
    'GatewayPorts no',
    'X11Forwarding no',
    'AllowAgentForwarding no',
    'PermitTunnel no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'LoginGraceTime 10',
    'MaxStartups 100',
    'LogLevel VERBOSE',
  ];
  if (options.printOnLogin) {
    const script = path.join(dir, 'on-login.sh');
    const { stdout = '', stderr: errText = '' } = options.printOnLogin;
    const lines = ['#!/bin/sh'];
    for (const [i, part] of (Array.isArray(stdout) ? stdout : [stdout]).entries()) {
      await writeFile(path.join(dir, `login.out.${i}`), part);
      lines.push(...(i > 0 ? ['sleep 0.2'] : []), `cat '${dir}/login.out.${i}'`);
    }
    await writeFile(path.join(dir, 'login.err'), errText);
    lines.push(`cat '${dir}/login.err' >&2`);
    await writeFile(script, lines.join('\n') + '\n', { mode: 0o755 });
    config.push(`ForceCommand ${script}`);
  }
  const configFile = path.join(dir, 'sshd_config');
  await writeFile(configFile, config.join('\n') + '\n');
  // Fails fast with sshd's own words if the config is wrong for this OpenSSH version.
  await run(SSHD, ['-t', '-f', configFile]);

  let child: ChildProcess | undefined;
  let stderr = '';
  // sshd outlives a test process that crashes or exits early: take it down with us.
  const killOnExit = () => {
    if (child?.pid) signal([child.pid, ...descendantsOf(child.pid)], 'SIGKILL');
  };

  const start = async (): Promise<void> => {
    if (child) throw new Error('throwaway sshd is already running');
    const proc = spawn(SSHD, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    process.on('exit', killOnExit);
    const from = stderr.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`sshd did not listen on ${port} within 5 s:\n${stderr}`)), 5_000);
      const onData = (chunk: Buffer) => {
        if (stderr.length < 256 * 1024) stderr += chunk.toString();
        if (stderr.slice(from).includes(`Server listening on 127.0.0.1 port ${port}`)) done();
      };
      const onExit = (code: number | null) => {
        child = undefined;
        process.off('exit', killOnExit);
        done(new Error(`sshd exited (${code}) before it listened on ${port}:\n${stderr}`));
      };
      const done = (err?: Error) => {
        clearTimeout(timer);
        proc.off('exit', onExit);
        if (err) {
          proc.kill('SIGKILL');
          reject(err);
        } else {
          resolve();
        }
      };
      proc.stderr!.on('data', onData); // stays attached: log() shows everything sshd said
      proc.once('exit', onExit);
    });
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    process.off('exit', killOnExit);
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const family = descendantsOf(proc.pid!);
    signal([proc.pid!, ...family], 'SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`sshd ${proc.pid} did not exit within 5 s of SIGKILL`)), 5_000);
    });
    await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
    // The per-connection children die asynchronously too; until they have, one may still hold a forwarded port.
    const deadline = Date.now() + 5_000;
    while (family.some(alive)) {
      if (Date.now() > deadline) throw new Error(`sshd children ${family.filter(alive).join(', ')} outlived SIGKILL`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  const removeOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeOnExit);
  await start();
  return {
    host: '127.0.0.1',
    port,
    dir,
    username,
    clientKeyPath,
    hostKeyLine,
    hostKeyFingerprint,
    log: () => stderr,
    start,
    stop,
    freeze: () => {
      if (!child?.pid) throw new Error('throwaway sshd is not running');
      signal([child.pid, ...descendantsOf(child.pid)], 'SIGSTOP');
    },
    dispose: async () => {
      process.off('exit', removeOnExit);
      try {
        await stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
