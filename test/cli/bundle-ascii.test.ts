import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO } from './cli-process';

/**
 * V8 holds the whole source of a loaded script for as long as any of its functions lives, as a two-byte string when a
 * single character of it lies beyond Latin-1: the server's bundles are written in ASCII (webpack.config.js,
 * terser's ascii_only) so the server holds each of them at its size, not twice it, on the HTTP thread and in every worker.
 * The messages the CLI prints with such characters (an em dash, an arrow) are checked as users see them in
 * cli-messages.test.ts and feedback-cli.test.ts.
 */
describe('the server bundles (dist/)', () => {
  for (const bundle of ['cli.js', 'inference-worker.js']) {
    it(`${bundle} is plain ASCII`, () => {
      const text = readFileSync(path.join(REPO, 'dist', bundle), 'utf8');
      const other = text.match(/[\u0080-\uffff]/g) ?? [];
      assert.equal(other.length, 0, `${other.length} characters beyond ASCII, such as ${JSON.stringify(other.slice(0, 5))}`);
    });
  }
});
