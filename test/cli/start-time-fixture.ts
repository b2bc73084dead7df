import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');

export const OLD_SHARE_TOKEN = 'old-share-token-0123456789abcdefghijklmnop';

/**
 * A folder whose share link was issued two days ago (so `--expires 1h` finds it expired at start) and a model whose
 * sidecar is invalid: the two things a preview can only learn while it starts.
 */
export function previewWithStartTimeProblems(): { model: string; dataDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mp-start-events-'));
  const model = path.join(dir, 'iris.onnx');
  copyFileSync(IRIS, model);
  writeFileSync(path.join(dir, 'iris.preview.json'), JSON.stringify({ title: 42 }));
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir);
  writeFileSync(path.join(dataDir, 'tokens.json'), JSON.stringify({
    shareToken: OLD_SHARE_TOKEN, ownerToken: 'owner-token-0123456789abcdefghijklmnopqrst', shareIssuedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
  }));
  return { model, dataDir };
}

