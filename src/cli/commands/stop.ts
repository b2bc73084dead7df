import * as net from 'node:net';
import type { Command } from 'commander';
import { findRunningServer, type RunningServer } from '../../client/running-server';
import { OwnerApi } from '../../client/owner-api';
import { pidExists, processStartIdentity } from '../../client/process-identity';

interface StopFlags {
  dataDir: string;
}

/** Asked over HTTP, the server finishes requests in flight and flushes its files; past this it is signalled. */
const GRACEFUL_MS = 10_000;
/** After SIGTERM, before SIGKILL. */
const TERM_MS = 5_000;
/** A server still starting (loading its model) is waited for this long before it is stopped. */
const STARTING_MS = 60_000;

/**
 * `model-preview stop`: stops the preview of a data folder, however it was started (`serve`, `serve --detach`, the
 * extension), and exits 0 once its port is free. It asks the server over HTTP (the owner API: a graceful stop on every
 * OS, Windows too), and signals only a process it verified is that server (a pid the OS reused is never signalled).
 */
export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop the preview of this data folder; exits 0 once its port is free (also when none was running)')
    .option('--data-dir <dir>', 'the preview\'s data folder (serve\'s --data-dir)', '.model-preview')
    .action(async (flags: StopFlags) => {
      const say = (line: string) => process.stdout.write(line + '\n');
      let lookup = await findRunningServer(flags.dataDir);
      for (const until = Date.now() + STARTING_MS; lookup.state === 'starting' && Date.now() < until;) {
        await sleep(200);
        lookup = await findRunningServer(flags.dataDir);
      }
      if (lookup.state === 'starting') throw new Error(`the server of ${flags.dataDir} (pid ${lookup.info.pid}) is still starting after ${STARTING_MS / 1000} s; try again`);
      if (lookup.state !== 'running') {
        say(`No preview of ${flags.dataDir} is running${lookup.state === 'stale' ? ` (${lookup.reason})` : ''}.`);
        return;
      }
      await stopServer(lookup.server, say);
      say(`Stopped the preview of ${flags.dataDir} (pid ${lookup.server.info.pid}); port ${lookup.server.info.port} is free.`);
    });
}

async function stopServer(server: RunningServer, say: (line: string) => void): Promise<void> {
  const { info } = server;
  const asked = await new OwnerApi(server.owner).stopServer().then(() => true, (err: Error) => {
    say(`${err.message}; stopping it with a signal`);
    return false;
  });
  if (asked && (await gone(info, GRACEFUL_MS))) return waitForFreePort(info);
  // Signals only for the very process server.json named: verified again right before each one.
  if (await isStill(info)) {
    if (asked) say(`the server (pid ${info.pid}) did not stop within ${GRACEFUL_MS / 1000} s of being asked: sending SIGTERM`);
    process.kill(info.pid, 'SIGTERM');
    if (!(await gone(info, TERM_MS)) && (await isStill(info))) {
      say(`the server (pid ${info.pid}) did not stop within ${TERM_MS / 1000} s of SIGTERM: killing it`);
      process.kill(info.pid, 'SIGKILL');
      await gone(info, TERM_MS);
    }
  }
  await waitForFreePort(info);
}

/** Whether the process `info` names is still that process (same start identity; where none is known, its pid lives). */
async function isStill(info: RunningServer['info']): Promise<boolean> {
  if (!pidExists(info.pid)) return false;
  const now = await processStartIdentity(info.pid);
  return info.startIdentity === undefined || now === undefined || now === info.startIdentity;
}

async function gone(info: RunningServer['info'], withinMs: number): Promise<boolean> {
  for (const until = Date.now() + withinMs; Date.now() < until; await sleep(50)) if (!(await isStill(info))) return true;
  return !(await isStill(info));
}

/** The port can be listened on again (the OS may hold it a moment after the process ended). */
async function waitForFreePort(info: RunningServer['info'], withinMs = 5_000): Promise<void> {
  for (const until = Date.now() + withinMs; ; await sleep(50)) {
    if (await canListen(info.port, info.host ?? '127.0.0.1')) return;
    if (Date.now() > until) throw new Error(`the server (pid ${info.pid}) stopped, but port ${info.port} is still in use (by another program?)`);
  }
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
