import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonlAppendLog } from '../../src/core/store/jsonl-append-log';
import { StorageError } from '../../src/core/store/storage-error';
import { mountSmallDisk, SMALL_DISK_NOTE, type SmallDisk } from '../helpers/small-disk';

interface Rec {
  i: number;
  pad: string;
}

/** Record i: mostly small, every 50th ~100 KB, with its index repeated inside so tearing or mixing shows. */
const record = (i: number): Rec => ({ i, pad: String(i % 10).repeat(i % 50 === 0 ? 100_000 : (i * 37) % 500) });

function readLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'the file ends with a complete line');
  return text.slice(0, -1).split('\n');
}

function checkRecords(lines: string[], count: number): void {
  assert.equal(lines.length, count);
  lines.forEach((line, n) => {
    const rec = JSON.parse(line) as Rec; // throws on a torn or interleaved line
    assert.equal(rec.i, n, `line ${n} holds record ${rec.i}`);
    assert.deepEqual(rec, record(n));
  });
}

describe('JsonlAppendLog', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  for (const fsync of [true, false]) {
    it(`500 concurrent appends (fsync ${fsync}) give 500 whole lines in call order`, async () => {
      const file = path.join(dir, 'feedback.jsonl');
      const log = new JsonlAppendLog(file, { fsync });
      await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(record(i))));
      // Every promise resolved: the lines are already in the file, before close().
      checkRecords(readLines(file), 500);
      await log.close();
      checkRecords(readLines(file), 500);
    });
  }

  it('keeps the order of sequential awaited appends, and appends to an existing file', async () => {
    const file = path.join(dir, 'predictions.jsonl');
    const first = new JsonlAppendLog(file, { fsync: false });
    for (let i = 0; i < 30; i++) await first.append(record(i));
    await first.close();
    const second = new JsonlAppendLog(file, { fsync: true });
    for (let i = 30; i < 60; i++) await second.append(record(i));
    await second.close();
    checkRecords(readLines(file), 60);
  });

  it('creates missing parent folders', async () => {
    const file = path.join(dir, 'a', 'b', '.model-preview', 'feedback.jsonl');
    const log = new JsonlAppendLog(file, { fsync: true });
    await log.append({ ok: true });
    await log.close();
    assert.equal(fs.readFileSync(file, 'utf8'), '{"ok":true}\n');
  });

  it('writes an already serialised string as it is', async () => {
    const file = path.join(dir, 'x.jsonl');
    const log = new JsonlAppendLog(file, { fsync: false });
    await log.append('{"b":2,"a":1}');
    await log.append({ text: 'line one\nline two', sep: '\u2028' });
    await log.close();
    assert.equal(fs.readFileSync(file, 'utf8'), '{"b":2,"a":1}\n{"text":"line one\\nline two","sep":"\u2028"}\n');
  });

  it('rejects a string with a raw newline and writes nothing for it', async () => {
    const file = path.join(dir, 'x.jsonl');
    const log = new JsonlAppendLog(file, { fsync: false });
    await assert.rejects(log.append('{"a":1}\n{"b":2}'), { message: 'a JSON Lines record cannot contain a raw newline' });
    await log.append({ c: 3 });
    await log.close();
    assert.equal(fs.readFileSync(file, 'utf8'), '{"c":3}\n');
  });

  it('close() flushes everything queued', async () => {
    const file = path.join(dir, 'x.jsonl');
    const log = new JsonlAppendLog(file, { fsync: true });
    const pending = Array.from({ length: 200 }, (_, i) => log.append(record(i)));
    await log.close();
    checkRecords(readLines(file), 200);
    await Promise.all(pending);
  });

  it('refuses appends after close()', async () => {
    const file = path.join(dir, 'x.jsonl');
    const log = new JsonlAppendLog(file, { fsync: false });
    await log.append({ a: 1 });
    await log.close();
    await assert.rejects(log.append({ a: 2 }), { message: `${file} is closed` });
    assert.equal(fs.readFileSync(file, 'utf8'), '{"a":1}\n');
  });

  it('close() without any append creates no file', async () => {
    const file = path.join(dir, 'never.jsonl');
    const log = new JsonlAppendLog(file, { fsync: true });
    await log.close();
    assert.equal(fs.existsSync(file), false);
  });

  it('rejects the appends of a batch that cannot be written, with the OS error', async () => {
    // The parent "folder" is a file, so the log cannot be created.
    fs.writeFileSync(path.join(dir, 'blocker'), '');
    const log = new JsonlAppendLog(path.join(dir, 'blocker', 'x.jsonl'), { fsync: false });
    const results = await Promise.allSettled([log.append({ a: 1 }), log.append({ a: 2 })]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.match(String((r as PromiseRejectedResult).reason), /EEXIST|ENOTDIR/);
    }
  });
});

describe('JsonlAppendLog on a disk that fills up', () => {
  const title = SMALL_DISK_NOTE ? ` (SKIPPED: ${SMALL_DISK_NOTE})` : ' (a real 64 kB tmpfs)';
  let disk: SmallDisk | undefined;
  afterEach(() => disk?.unmount());

  (SMALL_DISK_NOTE ? it.skip : it)(`cuts a line torn by ENOSPC off at once, rejects with a 507 StorageError, and appends again once there is space${title}`, async () => {
    disk = mountSmallDisk(64);
    const file = path.join(disk.dir, 'x.jsonl');
    const log = new JsonlAppendLog(file, { fsync: true });
    const line = (i: number) => ({ i, pad: 'p'.repeat(3000) });
    let written = 0;
    let failure: unknown;
    for (; written < 100; written++) {
      try {
        await log.append(line(written));
      } catch (err) {
        failure = err;
        break;
      }
    }
    assert.ok(failure instanceof StorageError, String(failure));
    assert.equal(failure.code, 'ENOSPC');
    assert.equal(failure.status, 507);
    // The failed write put part of its line in the file (a short write); it is gone before the promise rejects.
    const lines = readLines(file);
    assert.equal(lines.length, written);
    lines.forEach((l, n) => assert.deepEqual(JSON.parse(l), line(n)));

    disk.resize(1024);
    await log.append(line(written));
    await log.close();
    const after = readLines(file);
    assert.equal(after.length, written + 1);
    after.forEach((l, n) => assert.deepEqual(JSON.parse(l), line(n)));
  });
});
