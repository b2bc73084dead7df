import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOnnxMetadata } from '../../src/core/model/onnx-metadata';

const repoRoot = path.resolve(__dirname, '../../..');
const read = (rel: string): Buffer => fs.readFileSync(path.join(repoRoot, rel));

describe('readOnnxMetadata', () => {
  it('reads the iris example: metadata_props, opsets, producer, doc string', () => {
    const meta = readOnnxMetadata(read('examples/iris/iris.onnx'));
    assert.equal(meta.metadataProps.class_names, 'setosa,versicolor,virginica');
    assert.equal(meta.metadataProps.feature_names, 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)');
    assert.equal(meta.metadataProps.trained_with, 'examples/iris/train.ipynb');
    assert.deepEqual(meta.opsets, [{ domain: 'ai.onnx', version: 17 }]);
    assert.equal(meta.producer?.name, 'pytorch');
    assert.match(meta.producer?.version ?? '', /^\d+\.\d+/);
    assert.equal(meta.irVersion, 8);
    assert.match(meta.docString ?? '', /^Iris species classifier/);
  });

  it('reads the ai.onnx.ml opset and class_names of the zipmap fixture', () => {
    const meta = readOnnxMetadata(read('test/fixtures/models/zipmap-classifier.onnx'));
    assert.deepEqual(meta.opsets, [{ domain: 'ai.onnx', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }]);
    assert.deepEqual(meta.metadataProps, { class_names: 'cat,dog,bird' });
    assert.equal(meta.producer?.name, 'make-fixture-models.py');
  });

  it('reads every fixture model', () => {
    const dir = path.join(repoRoot, 'test/fixtures/models');
    const models = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx'));
    assert.ok(models.length >= 10);
    for (const f of models) {
      const meta = readOnnxMetadata(fs.readFileSync(path.join(dir, f)));
      assert.equal(meta.irVersion, 8, f);
      assert.ok(meta.opsets.some((o) => o.domain === 'ai.onnx' && o.version === 17), f);
      assert.equal(typeof meta.docString, 'string', f);
    }
  });

  it('rejects bytes that are not an ONNX model', () => {
    const garbage = [
      Buffer.from('this is not a model at all, just some text'),
      Buffer.from('PK\u0003\u0004 a zip file'),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]),
      Buffer.alloc(0),
      Buffer.from(JSON.stringify({ irVersion: 8, graph: {} })),
    ];
    for (const bytes of garbage) {
      assert.throws(() => readOnnxMetadata(bytes), (err: Error) => {
        assert.match(err.message, /^not an ONNX model/, `${JSON.stringify(bytes.toString('latin1'))}: ${err.message}`);
        return true;
      });
    }
  });

  it('says a cut-off model file is truncated', () => {
    const iris = read('examples/iris/iris.onnx');
    for (const length of [Math.floor(iris.length / 2), iris.length - 1]) {
      assert.throws(() => readOnnxMetadata(iris.subarray(0, length)), (err: Error) => {
        assert.match(err.message, /truncated/, `cut at ${length}: ${err.message}`);
        return true;
      });
    }
  });
});
