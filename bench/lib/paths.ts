import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest folder above this file with a package.json (works from bench/ and out/bench/). */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const repoRoot = findRepoRoot(__dirname);
/** The compiled bench folder (out/bench): child programs such as load.js and floor-server.js live here. */
export const benchOutDir = path.resolve(__dirname, '..');
export const cliFile = path.join(repoRoot, 'dist', 'cli.js');
export const irisModel = path.join(repoRoot, 'examples', 'iris', 'iris.onnx');
/** A 3x320x320 image model with a few convolutions (scripts/make-fixture-models.py). */
export const imageModel = path.join(repoRoot, 'test', 'fixtures', 'models', 'image-conv.onnx');
/** The same input through ~1 G multiply-adds (about 10 ms on one core): the cost of a real 320x320 text detector. */
export const imageDetectModel = path.join(repoRoot, 'test', 'fixtures', 'models', 'image-detect.onnx');
export const resultsFile = path.join(repoRoot, 'out', 'bench-results.json');
