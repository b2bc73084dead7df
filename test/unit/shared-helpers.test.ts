import assert from 'node:assert/strict';
import { backoffDelay } from '../../src/shared/backoff';
import { FEEDBACK_RECORD_LINES } from '../../src/shared/feedback-record';
import { parseJsonLines } from '../../src/shared/json-lines';
import { reviewFileFormat, reviewLink, reviewSetOfHash } from '../../src/shared/review-set';
import { settlesWithin } from '../../src/shared/settles-within';
import { handRecord } from '../helpers/feedback-kit';

/** The small pure helpers every layer shares (src/shared/): one backoff, one bounded wait, one JSON Lines parser. */

describe('backoffDelay: the one retry schedule', () => {
  it('doubles from the first delay up to the cap, the same for every retry loop it replaced', () => {
    const tunnelKeeper = { initialMs: 250, maxMs: 15_000 };
    assert.deepEqual([0, 1, 2, 3, 5, 6, 7, 40].map((n) => backoffDelay(n, tunnelKeeper)), [250, 500, 1000, 2000, 8000, 15_000, 15_000, 15_000]);
    const card = { initialMs: 1000, maxMs: 10_000 };
    assert.deepEqual([0, 1, 2, 3, 4, 9].map((n) => backoffDelay(n, card)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('never overflows (a socket down for a week), and a first delay of 0 stays 0, not NaN', () => {
    assert.equal(backoffDelay(1e9, { initialMs: 250, maxMs: 5_000 }), 5_000);
    assert.equal(backoffDelay(5_000, { initialMs: 0, maxMs: 5_000 }), 0);
    assert.equal(backoffDelay(-1, { initialMs: 250, maxMs: 5_000 }), 250);
  });
});

describe('settlesWithin: the one bounded wait', () => {
  it('true when the promise settles in time, either way; false when it does not', async () => {
    assert.equal(await settlesWithin(Promise.resolve(1), 50), true);
    assert.equal(await settlesWithin(Promise.reject(new Error('closed badly')), 50), true);
    assert.equal(await settlesWithin(new Promise(() => undefined), 20), false);
  });
});

describe('parseJsonLines: the one JSON Lines parser (store, CLI, extension, feedback export)', () => {
  it('skips blank lines, says which line was torn or not JSON, and ignores a byte order mark', () => {
    const warnings: string[] = [];
    const values = parseJsonLines('\ufeff{"a":1}\n\nnot json\n{"a":2}\n{"a":', { source: 'f.jsonl', warn: (w) => warnings.push(w) });
    assert.deepEqual(values, [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(warnings, ['f.jsonl:3: skipped a line that is not valid JSON', 'f.jsonl:5: skipped a torn last line (an interrupted write)']);
  });

  it('keeps only what a check accepts, numbering lines from where a later read starts', () => {
    const warnings: string[] = [];
    const good = handRecord({ comment: 'fine' });
    const text = `${JSON.stringify(good)}\n${JSON.stringify({ ...good, rating: 'meh' })}\n`;
    const records = parseJsonLines(text, { source: 'feedback.jsonl', warn: (w) => warnings.push(w), check: FEEDBACK_RECORD_LINES, firstLine: 41 });
    assert.deepEqual(records, [good]);
    assert.deepEqual(warnings, ['feedback.jsonl:42: skipped a line that is not a valid feedback record']);
  });
});

describe('review files and review links', () => {
  it('a review file is .jsonl (or .ndjson) or .csv, any case; anything else is named in the error', () => {
    assert.deepEqual(['cases.jsonl', 'a.b.NDJSON', 'Sheet.CSV'].map(reviewFileFormat), ['jsonl', 'jsonl', 'csv']);
    assert.throws(() => reviewFileFormat('cases.txt'), /cases\.txt: a review file is \.jsonl .* or \.csv .*, not \.txt/);
    assert.throws(() => reviewFileFormat('README'), /not a file without an extension/);
  });

  it('a review link is the share link with #review=<set> (it survives the token redirect); the page reads the set back', () => {
    const link = reviewLink('http://127.0.0.1:4000/?t=abc', 'launch week/2 ü');
    assert.equal(link, 'http://127.0.0.1:4000/?t=abc#review=launch%20week%2F2%20%C3%BC');
    assert.equal(reviewSetOfHash(new URL(link).hash), 'launch week/2 ü');
    assert.equal(reviewLink(`${link}`, 'other'), 'http://127.0.0.1:4000/?t=abc#review=other', 'a fragment already there is replaced');
    assert.equal(reviewSetOfHash(''), undefined);
    assert.equal(reviewSetOfHash('#other=1'), undefined);
    assert.equal(reviewSetOfHash('#review=%E0%A4%A'), undefined, 'a malformed escape is no set');
  });
});
