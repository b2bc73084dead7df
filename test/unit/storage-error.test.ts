import assert from 'node:assert/strict';
import { asStorageError, StorageError } from '../../src/core/store/storage-error';

const osError = (code: string) => Object.assign(new Error(`${code}: something, write`), { code });

/**
 * Which OS errors are conditions of the owner's machine (not bugs) and what each answers. ENOSPC and EROFS are also
 * met for real on a tmpfs in server/full-disk.test.ts; EDQUOT, EFBIG and EIO need quotas, file size limits or a failing
 * disk, so their mapping is checked here.
 */
describe('storage errors: a full disk and its cousins are named, not internal errors', () => {
  const cases: Array<[string, number, RegExp, RegExp]> = [
    ['ENOSPC', 507, /^the preview owner's disk is full, so nothing new can be saved right now; try again later \(the owner has been told\)$/, /the disk is full \(ENOSPC\)/],
    ['EDQUOT', 507, /^the preview owner's disk quota is used up, so nothing new can be saved/, /the disk quota is used up \(EDQUOT\)/],
    ['EFBIG', 507, /^the preview owner's data file has reached the largest size their system allows/, /file size limit.*\(EFBIG\)/],
    ['EROFS', 507, /^the preview owner's data folder is read-only/, /read-only \(EROFS\)/],
    ['EIO', 503, /^the preview owner's disk reported an input\/output error/, /input\/output error \(check the disk\) \(EIO\)/],
  ];
  for (const [code, status, client, owner] of cases) {
    it(`${code} → ${status}, a sentence for the client without the owner's paths, and one for the owner naming the file`, () => {
      const err = asStorageError(osError(code), '/home/ana/project/.model-preview/feedback.jsonl');
      assert.ok(err instanceof StorageError);
      assert.equal(err.status, status);
      assert.equal(err.code, code);
      assert.match(err.clientMessage, client);
      assert.doesNotMatch(err.clientMessage, /\/home\/ana/);
      assert.match(err.ownerMessage, owner);
      assert.match(err.ownerMessage, /^cannot write feedback\.jsonl in \/home\/ana\/project\/\.model-preview: /);
      assert.match(err.ownerMessage, new RegExp(`refused \\(HTTP ${status}\\)`));
    });
  }

  it('any other error passes through unchanged (a bug stays a 500 with its stack in the log)', () => {
    for (const err of [osError('EACCES'), osError('EBADF'), new TypeError('x is undefined'), 'a string']) {
      assert.equal(asStorageError(err, '/d/f.jsonl'), err);
    }
  });
});
