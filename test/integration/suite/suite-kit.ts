import { HANDSHAKE_ENV, waitForStep, writeStep } from '../handshake';

/** The extension's id, as VS Code knows it. */
export const EXTENSION_ID = 'model-preview.model-preview';

/**
 * The launcher's page callback, when there is one (run-in-code-server.ts drives the workbench in chromium). Under
 * @vscode/test-electron there is none: the same tests run, the DOM checks are left out, and the few steps a person
 * would do by clicking are done through the API instead.
 */
export const handshake = process.env[HANDSHAKE_ENV];

/** Asks the page callback to read (or click) something in the workbench; undefined without one. */
export async function askPage<T>(step: string, request: unknown, timeoutMs = 40_000): Promise<T | undefined> {
  if (!handshake) return undefined;
  writeStep(handshake, step, 'request', request);
  return waitForStep<T>(handshake, step, 'answer', timeoutMs);
}

/** Polls `probe` until it gives something other than undefined or false. */
export const until = async <T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * Waits out VS Code's toast spam protection before a step whose notification the launcher must see as a toast: a
 * notification that comes while more than three were added within the same 800 ms goes only to the notification
 * centre (the bell gets a dot, no toast). Steps that raise several notifications at once (a refused file, an invite)
 * made the next step's toast — a server's death — vanish that way.
 */
export const afterToastSpamWindow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_000));
