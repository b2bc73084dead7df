import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PreviewProcess } from '../../src/client/preview-process';
import { AttachedServer } from '../../src/vscode/previews/attached-server';
import { startDetachedServer } from '../../src/vscode/previews/detached-start';
import type { BenchCase, CaseResult } from '../lib/case';
import { cliFile, irisModel } from '../lib/paths';
import { makeDataDir } from '../lib/processes';
import { fmt, median, round } from '../lib/stats';

const RUNS = 5;
/** Issue 12: after a window reload, the same link answers again within this. */
const RELOAD_TARGET_MS = 2_000;
/** Issue 12: re-attaching to a detached server at activation. */
const ATTACH_TARGET_MS = 300;
/** What the extension gives a forked server to stop on deactivate. */
const DEACTIVATE_GRACE_MS = 2_000;

const answers = async (link: string) => {
  try {
    return (await fetch(new URL('/api/card', link), { headers: { authorization: `Bearer ${new URL(link).searchParams.get('t')}` } })).status === 200;
  } catch {
    return false;
  }
};

/**
 * The extension's side of a window reload and of a re-attach, as it runs them (VS Code's own reload time not
 * included): (1) `whileWindowOpen`: deactivate stops the forked server, the new activation forks it again on the
 * data folder's remembered port and token — time from that start until the same link answers; (2) `untilStopped`: a
 * detached server (`serve --detach`) keeps running; the new activation attaches to it — `AttachedServer.attach`
 * (server.json verified, owner status, events socket open) plus loading the feedback so far, as the extension does.
 */
export const previewLifecycle: BenchCase = {
  name: 'preview-lifecycle',
  description: `window reload -> same link answering (forked), and re-attach to a detached server; iris, ${RUNS} runs each`,
  async run({ log }): Promise<CaseResult> {
    const reloadDir = makeDataDir();
    const attachDir = makeDataDir();
    const reloads: number[] = [];
    const attaches: number[] = [];
    let sameLink = true;
    try {
      let preview = await PreviewProcess.start({ cliPath: cliFile, modelFile: irisModel, dataDir: reloadDir, log: () => undefined });
      const link = preview.ready.shareUrl;
      for (let i = 0; i < RUNS; i++) {
        await preview.stop(DEACTIVATE_GRACE_MS);
        const started = performance.now();
        preview = await PreviewProcess.start({ cliPath: cliFile, modelFile: irisModel, dataDir: reloadDir, log: () => undefined });
        while (!(await answers(link))) await new Promise((r) => setTimeout(r, 20));
        const ms = performance.now() - started;
        sameLink &&= preview.ready.shareUrl === link;
        log(`  reload ${i + 1}: the same link answers ${fmt(ms)} ms after the new start`);
        reloads.push(ms);
      }
      await preview.stop();

      await startDetachedServer({ cliPath: cliFile, modelFile: irisModel, dataDir: attachDir, extraArgs: [], env: {} });
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        const attached = await AttachedServer.attach(attachDir, () => undefined);
        if (!attached) throw new Error('no running server to attach to');
        await attached.owner.feedback(() => undefined);
        const ms = performance.now() - started;
        log(`  attach ${i + 1}: ${fmt(ms)} ms`);
        attaches.push(ms);
        if (i < RUNS - 1) await attached.release();
        else await attached.stop();
      }
    } finally {
      fs.rmSync(reloadDir, { recursive: true, force: true });
      fs.rmSync(attachDir, { recursive: true, force: true });
    }
    const reloadMedian = median(reloads);
    const attachMedian = median(attaches);
    return {
      tables: [{
        title: 'Window reload (forked server: stop, start on the remembered port) and re-attach (detached server)',
        rows: [
          ['run', 'reload -> same link answers (ms)', 'attach + feedback loaded (ms)'],
          ...reloads.map((r, i) => [String(i + 1), fmt(r), fmt(attaches[i])]),
          ['median', fmt(reloadMedian), fmt(attachMedian)],
        ],
      }],
      notes: [`the link after each reload was ${sameLink ? 'byte-for-byte the same' : 'NOT the same'}`],
      checks: [
        { target: `window reload -> same link answering, median <= ${RELOAD_TARGET_MS} ms`, actual: `${fmt(reloadMedian)} ms${sameLink ? '' : ' (link changed!)'}`, pass: sameLink && reloadMedian <= RELOAD_TARGET_MS },
        { target: `detached re-attach on activation, median <= ${ATTACH_TARGET_MS} ms`, actual: `${fmt(attachMedian)} ms`, pass: attachMedian <= ATTACH_TARGET_MS },
      ],
      data: { reloadsMs: reloads.map((r) => round(r)), attachesMs: attaches.map((a) => round(a)), sameLink },
    };
  },
};
