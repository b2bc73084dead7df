import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The view builds its DOM from elements and text nodes only: no API that parses markup appears in its source. */
describe('webview: no markup from strings', () => {
  const root = path.resolve(__dirname, '../../../src/webview');

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sources(full);
      return entry.name.endsWith('.ts') ? [full] : [];
    });
  }

  it('uses no innerHTML, outerHTML, insertAdjacentHTML, document.write, eval or string timers', () => {
    const files = sources(root);
    assert.ok(files.some((f) => f.endsWith('main.ts')), `found the view's sources in ${root}`);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of [/\binnerHTML\b/, /\bouterHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\s*\(/, /new Function\s*\(/, /DOMParser/, /createContextualFragment/, /setTimeout\(\s*['"`]/, /setInterval\(\s*['"`]/]) {
        assert.doesNotMatch(text, pattern, `${path.relative(root, file)} must not use ${pattern}`);
      }
    }
  });
});
