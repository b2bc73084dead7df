import assert from 'node:assert/strict';
import { formatBytes, terminalSafe, visibleLine } from '../../src/shared/visible-text';

describe('terminalSafe', () => {
  it('turns an ANSI escape into visible text with no ESC character', () => {
    const out = terminalSafe('\u001b[31mred');
    assert.equal(out, '\\u001b[31mred');
    assert.ok(!out.includes('\u001b'));
  });

  it('neutralises other control characters: BEL, backspace, CR, DEL, C1 CSI, line separators', () => {
    assert.equal(terminalSafe('a\u0007b\u0008c\rd\u007fe\u009bf\u2028g\u2029'), 'a\\u0007b\\u0008c\\u000dd\\u007fe\\u009bf\\u2028g\\u2029');
    assert.equal(terminalSafe('\u0000'), '\\u0000');
    assert.equal(terminalSafe('\u001b]0;pwned title\u0007'), '\\u001b]0;pwned title\\u0007');
  });

  it('keeps newlines and tabs, and normal unicode unchanged', () => {
    for (const text of ['café', 'naïve résumé', '日本語', '😀👍🏽', 'Ünïcödé ✓', 'line one\nline two', 'a\tb', '']) {
      assert.equal(terminalSafe(text), text);
    }
  });

  it('leaves no raw control character in any input', () => {
    let all = '';
    for (let c = 0; c < 0x200; c++) all += String.fromCharCode(c);
    const out = terminalSafe(all);
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(out));
  });
});

describe('visibleLine', () => {
  it('makes control, direction, newline and tab characters visible, so a quoted value stays on one line and reads as sent', () => {
    assert.equal(visibleLine("unknown input 'a\u202Eb\nc\td\u001b[2J'"), "unknown input 'a\\u202eb\\nc\\td\\u001b[2J'");
    for (const text of ['café', '日本語 😀', "input 'features': element 2 is 1e+39"]) assert.equal(visibleLine(text), text);
  });
});

describe('formatBytes', () => {
  it('writes sizes the way people read them', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1.0 kB');
    assert.equal(formatBytes(1536), '1.5 kB');
    assert.equal(formatBytes(10 * 1024), '10 kB');
    assert.equal(formatBytes(5 * 1024 * 1024), '5.0 MB');
    assert.equal(formatBytes(300 * 1024 * 1024), '300 MB');
    assert.equal(formatBytes(2 * 1024 ** 3), '2.0 GB');
    assert.equal(formatBytes(2048 * 1024 **3), '2048 GB');
  });
});

describe('terminalSafe: bidirectional controls', () => {
  it('shows U+202E (right-to-left override) and U+2066-2069 as visible escapes, so a line cannot be reordered', () => {
    const text = terminalSafe('ok \u202Etxt.exe\u202C and \u2066isolate\u2069');
    assert.equal(text, 'ok \\u202etxt.exe\\u202c and \\u2066isolate\\u2069');
  });
});
