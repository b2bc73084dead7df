import assert from 'node:assert/strict';
import { CSV_COLUMNS, feedbackCsv, guardCell } from '../../src/shared/feedback-csv';
import { csvObjects, handRecord, parseCsv } from '../helpers/feedback-kit';

describe('unit: guardCell (CSV formula injection)', () => {
  for (const start of ['=', '+', '-', '@', '\t', '\r']) {
    it(`prefixes a cell starting with ${JSON.stringify(start)} with an apostrophe`, () => {
      const cell = `${start}HYPERLINK("http://evil.example","click")`;
      assert.equal(guardCell(cell), `'${cell}`);
    });
  }

  it('leaves normal text, an empty cell and a formula character later in the text alone', () => {
    for (const cell of ['great answer', '', 'a=b', 'x+1', "it's 5-3", 'me@example.com', ' =1 (leading space)']) {
      assert.equal(guardCell(cell), cell, JSON.stringify(cell));
    }
  });
});

describe('unit: feedbackCsv', () => {
  it('starts with a BOM and the header row, uses CRLF, and round-trips a comma, a quote and a newline', () => {
    const comment = 'first, "quoted"\nsecond line';
    const csv = feedbackCsv([handRecord({ comment, reviewer: 'Ana' })]);
    assert.equal(csv.charCodeAt(0), 0xfeff);
    assert.ok(csv.startsWith(`\ufeff${CSV_COLUMNS.join(',')}\r\n`), JSON.stringify(csv.slice(0, 120)));
    const [row] = csvObjects(parseCsv(csv.slice(1)));
    assert.equal(row.comment, comment);
    assert.equal(row.reviewer, 'Ana');
  });

  it('guards formula cells in every column and shows control characters as visible escapes', () => {
    const csv = feedbackCsv([handRecord({ comment: '=1+1', reviewer: '@admin', expected: '-2', userAgent: '+cmd', predicted: '\u001b[31mred' })]);
    assert.ok(!csv.includes('\u001b'), 'no raw ESC in the CSV');
    const [row] = csvObjects(parseCsv(csv.slice(1)));
    assert.equal(row.comment, "'=1+1");
    assert.equal(row.reviewer, "'@admin");
    assert.equal(row.expected, "'-2");
    assert.equal(row.userAgent, "'+cmd");
    assert.equal(row.predicted, '\\u001b[31mred');
  });
});
