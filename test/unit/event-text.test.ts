import * as assert from 'node:assert/strict';
import { eventText } from '../../src/cli/event-text';

const MB = 1024 * 1024;

describe("serve's text output for a reload that does not fit beside the old version", () => {
  it('says the reload goes without overlap, with the memory free and needed, on stderr; then how long nothing was served', () => {
    assert.deepEqual(eventText({ event: 'reload-without-overlap', model: 'big', previousVersion: 'a1b2c3d4e5f6', availableBytes: 515 * MB, neededBytes: 846 * MB }, '/d'), {
      line: 'reloading without overlap: the new version and the old do not fit in the 515 MB free (needs ~846 MB); '
        + 'a1b2c3d4e5f6 is unloaded first, and requests get 503 (try again) until the new version loads',
      stderr: true,
    });
    const reloaded = { event: 'model-reloaded', model: 'big', modelVersion: 'b', previousVersion: 'a', loadMs: 5200 } as const;
    assert.equal(eventText({ ...reloaded, unavailableMs: 6100 }, '/d')?.line, 'reloaded: big is now version b (was a, loaded in 5200 ms; not served for 6100 ms)');
    assert.equal(eventText(reloaded, '/d')?.line, 'reloaded: big is now version b (was a, loaded in 5200 ms)', 'an overlapping reload is said as before');
  });
});
