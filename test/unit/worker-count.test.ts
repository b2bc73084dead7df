import assert from 'node:assert/strict';
import { defaultWorkerCount } from '../../src/cli/worker-count';
import { modelSizeOnDisk } from '../../src/core/model/model-file';
import { fixtureModel } from '../helpers/preview';

const MB = 1024 * 1024;
const GB = 1024 * MB;

describe('the default worker count', () => {
  it('is one per core for a model that fits many times in the free memory', () => {
    assert.deepEqual(defaultWorkerCount(1 * MB, 8 * GB, 4), { count: 4, chosenBy: 'cores', reason: 'one per core: a 1.0 MB model, 8.0 GB of memory free' });
  });

  it('is fewer than the cores when the sessions would take more than half of the free memory, and says why', () => {
    // A 440 MB BERT-base on a laptop with 2 GB free: ~500 MB per session, 1 GB for sessions: 2 workers of 8 cores.
    const { count, chosenBy, reason } = defaultWorkerCount(440 * MB, 2 * GB, 8);
    assert.equal(count, 2);
    assert.equal(chosenBy, 'memory');
    assert.equal(reason, 'fewer than the 8 cores: each holds a 440 MB model, and 2.0 GB of memory is free');
  });

  it('is always at least one', () => {
    assert.equal(defaultWorkerCount(4 * GB, 1 * GB, 2).count, 1);
  });

  it('weighs the model with its external data files (a big export’s .onnx file alone is a few kB)', async () => {
    assert.equal(await modelSizeOnDisk(fixtureModel('external-data')), 538 + 224);
    assert.equal(await modelSizeOnDisk(fixtureModel('no-such-model')), 0, 'unreadable: loading it says why');
  });
});
