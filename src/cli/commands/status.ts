import * as path from 'node:path';
import type { Command } from 'commander';
import { findRunningServer } from '../../client/running-server';
import { OwnerApi } from '../../client/owner-api';
import { statusFields, statusText } from '../status-text';

interface StatusFlags {
  dataDir: string;
  json?: boolean;
}

/** `status` exits with this when no server of the folder is running (as `systemctl status` and LSB scripts do). */
export const EXIT_NOT_RUNNING = 3;

/**
 * `model-preview status`: is a preview of this data folder running, on which port, with which links? It trusts
 * server.json only for a live process that is the one that wrote it (a pid the OS reused is "not running"), then asks
 * the server itself (`GET /api/server`, with the owner token from tokens.json).
 */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(`is a preview of this data folder running? its pid, port, links and model (exit ${EXIT_NOT_RUNNING} when none runs)`)
    .option('--data-dir <dir>', 'the preview\'s data folder (serve\'s --data-dir)', '.model-preview')
    .option('--json', 'print one JSON object: running, pid, port, shareUrl, lanUrls, model, modelVersion, ...')
    .action(async (flags: StatusFlags) => {
      const dataDir = path.resolve(flags.dataDir);
      const lookup = await findRunningServer(flags.dataDir);
      const print = (line: string) => process.stdout.write(line + '\n');
      if (lookup.state !== 'running') {
        const starting = lookup.state === 'starting';
        const why = starting ? `a server (pid ${lookup.info.pid}) is starting` : lookup.state === 'stale' ? `not running (${lookup.reason})` : 'not running';
        if (flags.json) print(JSON.stringify({ running: false, state: starting ? 'starting' : 'stopped', dataDir, pid: starting ? lookup.info.pid : null, port: null, shareUrl: null, model: null, modelVersion: null }));
        else print(`No preview of ${flags.dataDir} is serving: ${why}.`);
        process.exitCode = EXIT_NOT_RUNNING;
        return;
      }
      const { server } = lookup;
      const status = await new OwnerApi(server.owner).server().catch((err: Error) => {
        throw new Error(`the preview of ${flags.dataDir} (pid ${server.info.pid}, port ${server.info.port}) runs but does not answer: ${err.message}`);
      });
      if (flags.json) print(JSON.stringify({ running: true, state: 'running', dataDir, logFile: server.info.logFile ?? null, ...statusFields(status) }));
      else {
        statusText(status, flags.dataDir).forEach(print);
        if (server.info.logFile) print(`Log:         ${server.info.logFile}`);
      }
    });
}
