/**
 * A real pipenet server (the package's own `pipenet/server`) for the pipenet tunnel tests, run in a child process.
 *
 * A child process, not an in-process server, because stopping it must look like a real server going away: pipenet's
 * server opens one TCP listener per tunnel client and never exposes them, so only the death of the process closes
 * every one of its sockets at once. `restart()` kills it and starts a fresh one on the same port, which is what a
 * redeployed tunnel server looks like to its clients (same address, no memory of earlier tunnels).
 *
 * The server is told its domain is 127.0.0.1, so a tunnel's URL is http://<id>.127.0.0.1:<port>/ and requests are
 * routed to a tunnel by their Host header: send them to 127.0.0.1:<port> with `Host: <id>.127.0.0.1:<port>`.
 *
 * This file is also the child's program: run as a script, it starts the server (see the end of the file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as readline from 'node:readline';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface PipenetServer {
  /** e.g. http://127.0.0.1:41234 (what a client is given as its server URL) */
  readonly url: string;
  readonly port: number;
  /** Kills the server (every tunnel connection drops) and starts a new one on the same port. */
  restart(): Promise<void>;
  /** Kills the server. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a pipenet server on 127.0.0.1, on a free port. */
export async function startPipenetServer(): Promise<PipenetServer> {
  let child = await spawnServer(0);
  const port = child.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async restart() {
      await stopChild(child.process);
      child = await spawnServer(port);
    },
    stop: () => stopChild(child.process),
  };
}

interface RunningChild {
  process: ChildProcess;
  port: number;
}

async function spawnServer(port: number): Promise<RunningChild> {
  // stdin is a pipe the child watches: if this process dies without stopping it, the child sees EOF and exits too.
  const child = spawn(process.execPath, [__filename, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  try {
    // the child prints one JSON line, {"port": N}, once it listens; it exits if it cannot (EADDRINUSE)
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      lines.once('line', (text) => { clearTimeout(timer); resolve(text); });
      child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`it exited (${signal ?? code})`)); });
    });
    return { process: child, port: (JSON.parse(line) as { port: number }).port };
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`the pipenet server did not start on port ${port}: ${(err as Error).message}`);
  } finally {
    lines.close();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit', { signal: AbortSignal.timeout(STOP_TIMEOUT_MS) });
  // SIGKILL: a crash, not a goodbye; the kernel closes every socket of the server at once
  child.kill('SIGKILL');
  await exited;
}

/** The child's program: a pipenet server on 127.0.0.1:<argv[2]>. */
async function runServer(port: number): Promise<void> {
  const { createServer } = await import('pipenet/server');
  // maxTcpSockets is what the server tells each client to open (a real server's default is 10; unset, it says nothing)
  const server = createServer({ domains: ['127.0.0.1'], maxTcpSockets: 10 });
  server.listen(port, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    process.stdout.write(JSON.stringify({ port: address.port }) + '\n');
  });
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

if (require.main === module) {
  runServer(Number(process.argv[2])).catch((err) => {
    process.stderr.write(`pipenet server: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}
