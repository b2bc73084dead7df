import * as assert from 'node:assert/strict';
import { isExcludedPath, PathMap, pathKey } from '../../src/vscode/models/path-key';
import { dataDirFor, windowsSafeName } from '../../src/vscode/previews/data-dir';
import { onPlatform } from '../helpers/stub-platform';

/** Paths on Windows and macOS, read with process.platform stubbed (the code picks its rules from it at each call). */
describe('Windows and macOS paths (process.platform stubbed)', () => {
  describe('the data folder of a model', () => {
    it('on Windows: a drive letter, backslashes, forward slashes and another case of the workspace folder', () => onPlatform('win32', 'x64', () => {
      assert.equal(dataDirFor('C:\\Users\\ana\\proj\\runs\\a\\model.onnx', 'C:\\Users\\ana\\proj', '.model-preview'), 'C:\\Users\\ana\\proj\\.model-preview\\runs\\a\\model');
      // VS Code's URIs give c:, a path from a terminal C:, and the folders' case may differ: the same file, the same folder
      assert.equal(dataDirFor('c:\\users\\ana\\PROJ\\iris.onnx', 'C:\\Users\\ana\\proj', '.model-preview'), 'C:\\Users\\ana\\proj\\.model-preview\\iris');
      assert.equal(dataDirFor('C:/Users/ana/proj/runs/b/model.onnx', 'C:\\Users\\ana\\proj', '.model-preview'), 'C:\\Users\\ana\\proj\\.model-preview\\runs\\b\\model');
    }));

    it('on Windows: a model on another drive or a network share uses its name only', () => onPlatform('win32', 'x64', () => {
      assert.equal(dataDirFor('D:\\models\\iris.onnx', 'C:\\proj', '.model-preview'), 'C:\\proj\\.model-preview\\iris');
      assert.equal(dataDirFor('\\\\server\\share\\iris.onnx', 'C:\\proj', '.model-preview'), 'C:\\proj\\.model-preview\\iris');
    }));

    it('on Linux: a backslash is part of a file name, not a separator', () => onPlatform('linux', 'x64', () => {
      assert.equal(dataDirFor('/ws/a\\b.onnx', '/ws', '.model-preview'), '/ws/.model-preview/a\\b');
    }));

    it('gets folder names Windows can create, whatever the model is called', () => onPlatform('linux', 'x64', () => {
      assert.equal(dataDirFor('/ws/aux.onnx', '/ws', '.model-preview'), '/ws/.model-preview/aux_', 'a device name');
      assert.equal(dataDirFor('/ws/runs/con/model.onnx', '/ws', '.model-preview'), '/ws/.model-preview/runs/con_/model', 'in a folder too');
      assert.equal(dataDirFor('/ws/v2: "best"?.onnx', '/ws', '.model-preview'), '/ws/.model-preview/v2_ _best__');
      assert.equal(dataDirFor('/ws/model..onnx', '/ws', '.model-preview'), '/ws/.model-preview/model._', 'a trailing dot Windows would drop');
      assert.notEqual(dataDirFor('/ws/model..onnx', '/ws', '.model-preview'), dataDirFor('/ws/model.onnx', '/ws', '.model-preview'));
    }));

    it('leaves ordinary names alone', () => {
      for (const name of ['iris', 'model-v2.1', 'résumé classifier', 'console', 'auxiliary', 'com10']) assert.equal(windowsSafeName(name), name);
    });
  });

  describe('file identity (the models catalog and the running previews)', () => {
    const spellings = ['C:\\Work\\Iris.onnx', 'c:\\work\\iris.onnx', 'c:/work/IRIS.onnx'];

    it('on Windows: one file spelled three ways is one entry', () => onPlatform('win32', 'x64', () => {
      const map = new PathMap<string>();
      map.set(spellings[0], 'published');
      assert.deepEqual(spellings.map((s) => map.get(s)), ['published', 'published', 'published']);
      assert.ok(map.delete(spellings[2]));
      assert.equal(map.size, 0);
    }));

    it('on macOS: case and Unicode form (NFD from the file system, NFC typed) do not make another file', () => onPlatform('darwin', 'arm64', () => {
      assert.equal(pathKey('/Users/ana/Résumé.onnx'.normalize('NFD')), pathKey('/users/ana/résumé.onnx'.normalize('NFC')));
    }));

    it('on Linux: two spellings are two files', () => onPlatform('linux', 'x64', () => {
      const map = new PathMap<string>();
      map.set('/work/Iris.onnx', 'a');
      map.set('/work/iris.onnx', 'b');
      assert.equal(map.size, 2);
    }));

    it('the exclude globs match Node_Modules and .VENV on Windows and macOS, not on Linux', async () => {
      const excludes = ['**/node_modules/**', '**/.venv/**'];
      for (const platform of ['win32', 'darwin'] as const) {
        await onPlatform(platform, undefined, () => {
          assert.ok(isExcludedPath('pkg\\Node_Modules\\x\\model.onnx', excludes), platform);
          assert.ok(isExcludedPath('.VENV/lib/model.onnx', excludes), platform);
        });
      }
      await onPlatform('linux', undefined, () => assert.ok(!isExcludedPath('.VENV/lib/model.onnx', excludes)));
      assert.ok(!isExcludedPath('models/iris.onnx', excludes));
    });
  });
});
