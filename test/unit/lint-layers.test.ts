import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

/*
 * The layer rules of eslint.config.mjs catch what they are for: each file in test/fixtures/lint/ breaks one rule (its
 * first line says which source file it pretends to be, the second which import must be reported) and also makes one
 * import its folder may make, which must not be reported. The repository's own `npm run lint` proves the tree obeys them.
 */
const REPO = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(REPO, 'test/fixtures/lint');

interface Fixture {
  name: string;
  text: string;
  lintAs: string;
  expect: string;
}

function fixtures(): Fixture[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.ts')).sort().map((name) => {
    const text = readFileSync(path.join(FIXTURES, name), 'utf8');
    const lintAs = /^\/\/ lint as: (\S+)$/m.exec(text)?.[1];
    const expect = /^\/\/ expect: (\S+)$/m.exec(text)?.[1];
    if (!lintAs || !expect) throw new Error(`${name} needs "// lint as: <path>" and "// expect: <import>" lines`);
    return { name, text, lintAs, expect };
  });
}

describe('lint: the layer rules report a deliberate violation of each (test/fixtures/lint/)', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: REPO });
  const all = fixtures();

  it('has a fixture for every folder the rules cover', () => {
    const folders = new Set(all.map((f) => f.lintAs.split('/').slice(0, 2).join('/')));
    for (const folder of ['src/client', 'src/vscode', 'src/cli', 'src/core', 'src/shared', 'src/page', 'src/webview', 'src/browser']) {
      assert.ok(folders.has(folder), `a fixture linted as a file of ${folder}`);
    }
  });

  for (const fixture of all) {
    it(`${fixture.name}: "${fixture.expect}" is refused in ${fixture.lintAs}, the allowed import is not`, async () => {
      const [result] = await eslint.lintText(fixture.text, { filePath: path.join(REPO, fixture.lintAs) });
      const restricted = result.messages.filter((m) => m.ruleId === 'no-restricted-imports');
      assert.equal(restricted.length, 1, JSON.stringify(result.messages, null, 2));
      assert.equal(restricted[0].severity, 2, 'an error: npm run lint fails');
      assert.ok(restricted[0].message.includes(`'${fixture.expect}'`), restricted[0].message);
      assert.equal(restricted[0].line, 3, 'the violating import, not the allowed one');
      assert.deepEqual(result.messages.filter((m) => m.ruleId !== 'no-restricted-imports'), [], 'nothing else to report');
    });
  }
});
