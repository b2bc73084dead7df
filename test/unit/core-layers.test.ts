import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { REPO_ROOT } from '../helpers/preview';

/**
 * Core's internal layers are lint rules (eslint.config.mjs): each case is a one-line file at a path inside core that
 * imports across a layer, linted with the project's own configuration. A violation must fail lint, and the import
 * the layering allows must not.
 */
const eslint = new ESLint({ cwd: REPO_ROOT });

async function restrictedImports(file: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport const y = x;\n`, { filePath: path.join(REPO_ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint: core\'s internal layers', function () {
  this.timeout(30_000);

  const refused: Array<[string, string, RegExp]> = [
    ['src/core/feedback/feedback-service.ts', '../server/http-error', /feedback\/ never imports server\//],
    ['src/core/store/jsonl-append-log.ts', '../server/http-error', /store\/ is the bottom layer/],
    ['src/core/store/jsonl-append-log.ts', '../feedback/feedback-store', /store\/ is the bottom layer/],
    ['src/core/model/signature.ts', '../server/http-error', /model\/ never imports server\//],
    ['src/core/model/signature.ts', '../inference/codec', /model\/ and inference\/ do not import each other/],
    ['src/core/inference/model-runner.ts', '../model/describe', /model\/ and inference\/ do not import each other/],
    ['src/core/inference/inference-pool.ts', '../server/http-error', /inference\/ never imports server\//],
    ['src/core/onnx/datatypes.ts', '../model/model-file', /onnx\/ is what model\/ and inference\/ share/],
  ];
  for (const [file, specifier, message] of refused) {
    it(`refuses ${specifier} in ${file}`, async () => {
      const messages = await restrictedImports(file, specifier);
      assert.equal(messages.length, 1, `expected one no-restricted-imports error, got ${JSON.stringify(messages)}`);
      assert.match(messages[0], message);
    });
  }

  const allowed: Array<[string, string]> = [
    ['src/core/feedback/feedback-service.ts', '../store/storage-health'],
    ['src/core/inference/model-runner.ts', '../onnx/ort-session'],
    ['src/core/inference-worker.ts', './model/describe'],
    ['src/core/inference-worker.ts', './inference/model-runner'],
    ['src/core/model/signature.ts', '../onnx/datatypes'],
    ['src/core/model/signature.ts', '../../shared/v2'],
    ['src/core/server/error-handler.ts', '../feedback/feedback-input-error'],
  ];
  for (const [file, specifier] of allowed) {
    it(`allows ${specifier} in ${file}`, async () => {
      assert.deepEqual(await restrictedImports(file, specifier), []);
    });
  }

  it('still keeps vscode out of core wherever a layer rule applies', async () => {
    assert.equal((await restrictedImports('src/core/feedback/feedback-service.ts', 'vscode')).length, 1);
  });
});
