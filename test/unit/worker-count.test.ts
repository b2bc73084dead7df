import assert from 'node:assert/strict';
import { defaultWorkerCount, workersByFlag } from '../../src/cli/worker-count';
import { coresWithinQuota, cpuQuota } from '../../src/cli/cpu-quota';
import { usableMemory } from '../../src/core/inference/available-memory';
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

  it('counts the free memory within a container\'s memory limit, which the machine\'s free memory does not show', () => {
    // docker run --memory=1g on a 24 GB host: os.freemem() says 22 GB, process.constrainedMemory() 1 GB.
    const free = usableMemory(22 * GB, 1 * GB, 60 * MB);
    assert.equal(free, 1 * GB - 60 * MB);
    assert.equal(defaultWorkerCount(391 * MB, free, 2).count, 1, 'a 400 MB model gets one worker in 1 GB, not one per core');
    // No limit: Node 20 answers 2^64, Node 22 0, an older Node nothing.
    for (const none of [2 ** 64, 0, undefined]) assert.equal(usableMemory(22 * GB, none, 60 * MB), 22 * GB);
    assert.equal(usableMemory(2 * GB, 8 * GB, 60 * MB), 2 * GB, 'a limit above the free memory changes nothing');
    assert.equal(usableMemory(22 * GB, 100 * MB, 200 * MB), 0, 'never negative');
  });

  it('weighs the model with its external data files (a big export’s .onnx file alone is a few kB)', async () => {
    assert.equal(await modelSizeOnDisk(fixtureModel('external-data')), 538 + 224);
    assert.equal(await modelSizeOnDisk(fixtureModel('no-such-model')), 0, 'unreadable: loading it says why');
  });
});

describe('the cores a CPU quota allows (file reader faked with the files a cgroup shows)', () => {
  const files = (entries: Record<string, string>) => (file: string) => entries[file];

  it('cgroup v2: cpu.max of the process\'s cgroup and those above it, the smallest', () => {
    assert.equal(cpuQuota(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '150000 100000\n' })), 1.5);
    assert.equal(cpuQuota(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'max 100000\n' })), undefined, 'no limit');
    assert.equal(cpuQuota(files({
      '/proc/self/cgroup': '0::/kubepods/pod1/c1\n',
      '/sys/fs/cgroup/kubepods/pod1/c1/cpu.max': 'max 100000',
      '/sys/fs/cgroup/kubepods/pod1/cpu.max': '200000 100000',
      '/sys/fs/cgroup/kubepods/cpu.max': '800000 100000',
    })), 2, 'the pod\'s limit, set on a parent');
  });

  it('cgroup v1: cfs quota and period under the cpu controller (-1: none)', () => {
    const v1 = '4:memory:/\n1:cpu,cpuacct:/docker/abc\n0::/\n';
    assert.equal(cpuQuota(files({ '/proc/self/cgroup': v1, '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us': '50000\n', '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us': '100000\n' })), 0.5);
    assert.equal(cpuQuota(files({ '/proc/self/cgroup': v1, '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' })), undefined);
    assert.equal(cpuQuota(files({})), undefined, 'not Linux: nothing to read');
  });

  it('gives the worker count as many cores as the quota, rounded up, at least one; the reason says so', () => {
    assert.equal(coresWithinQuota(64, 2), 2);
    assert.equal(coresWithinQuota(64, 1.5), 2, '1.5 CPUs keep two workers busy');
    assert.equal(coresWithinQuota(64, 0.5), 1);
    assert.equal(coresWithinQuota(4, 16), 4, 'a quota above the machine changes nothing');
    assert.equal(coresWithinQuota(8, undefined), 8);
    assert.deepEqual(defaultWorkerCount(1 * MB, 8 * GB, 2, 64), {
      count: 2, chosenBy: 'cores', reason: 'one per core the CPU quota allows (of the machine\'s 64): a 1.0 MB model, 8.0 GB of memory free',
    });
  });

  it('lets --workers win, but says when the count is past the cores or the memory (--workers 1000 was taken silently)', () => {
    assert.deepEqual(workersByFlag(2, 1 * MB, 8 * GB, 4), { count: 2, chosenBy: '--workers', reason: 'set by --workers' });
    const many = workersByFlag(1000, 1 * MB, 8 * GB, 2);
    assert.equal(many.count, 1000, 'the flag still wins');
    assert.match(many.reason, /^set by --workers; careful: 1000 sessions of a 1\.0 MB model take about 17 GB, and 8\.0 GB of memory is free: the machine may run out of memory; more than the 2 cores: the extra workers only wait for CPU$/);
    assert.equal(workersByFlag(4, 1 * MB, 8 * GB, 2).reason, 'set by --workers; careful: more than the 2 cores: the extra workers only wait for CPU');
    assert.match(workersByFlag(2, 440 * MB, 1 * GB, 8).reason, /careful: 2 sessions of a 440 MB model .* the machine may run out of memory$/);
  });
});
