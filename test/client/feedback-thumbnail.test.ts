import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { feedbackThumbnail, pictureInput } from '../../src/client/feedback-thumbnail';
import { BlobStore } from '../../src/core/store/blob-store';
import type { StoredTensor } from '../../src/shared/feedback-record';
import { isToWebview } from '../../src/shared/webview-messages';

const REPO = path.resolve(__dirname, '../../..');
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** A real picture (test/fixtures/images/digit-3.png, 64×64 grey), grown 5× to the 320×320 a vision model takes. */
function digit(): { side: number; grey: number[] } {
  const png = PNG.sync.read(readFileSync(path.join(REPO, 'test/fixtures/images/digit-3.png')));
  return { side: png.width, grey: Array.from({ length: png.width * png.height }, (_, i) => png.data[i * 4]) };
}

function decode(dataUrl: string): PNG {
  const match = /^data:image\/png;base64,(.+)$/.exec(dataUrl);
  assert.ok(match, `a PNG data URL: ${dataUrl.slice(0, 40)}`);
  return PNG.sync.read(Buffer.from(match[1], 'base64'));
}

describe('client: the thumbnail of the picture a feedback record was given (real blobs on disk, real PNG)', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(path.join(os.tmpdir(), 'mp-thumb-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a normalised FP32 [1, 3, 320, 320] picture stored as a blob comes back as a 64×64 PNG of the same picture', async () => {
    const { side, grey } = digit();
    const big = 320;
    const k = big / side;
    // As a page sends it: channels first, each channel (x / 255 - mean) / std.
    const values: number[] = [];
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < big; y++) for (let x = 0; x < big; x++) values.push((grey[Math.floor(y / k) * side + Math.floor(x / k)] / 255 - MEAN[c]) / STD[c]);
    }
    const blob = await new BlobStore(dataDir).put(JSON.stringify([values]));
    const tensor: StoredTensor = { datatype: 'FP32', shape: [1, 3, big, big], blob };
    assert.equal(pictureInput({ inputs: { features: { datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }, image: tensor } }), tensor);

    const png = decode(await feedbackThumbnail(dataDir, tensor));
    assert.deepEqual([png.width, png.height], [64, 64]);
    let worst = 0;
    for (let i = 0; i < side * side; i++) {
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(png.data[i * 4 + c] - grey[i]));
      assert.equal(png.data[i * 4 + 3], 255, 'opaque');
    }
    assert.ok(worst <= 2, `every pixel within 2 of the original picture (worst ${worst})`);
  });

  it('a small picture stored in the record itself (UINT8, channels last, nested) is used as it is, not stretched', async () => {
    const rows = Array.from({ length: 8 }, (_, y) => Array.from({ length: 16 }, (_, x) => [x < 8 ? 100 : 150, 0, y * 10]));
    const tensor: StoredTensor = { datatype: 'UINT8', shape: [8, 16, 3], data: rows };
    const png = decode(await feedbackThumbnail(dataDir, tensor));
    assert.deepEqual([png.width, png.height], [16, 8], 'smaller than the thumbnail size: kept as it is');
    const at = (x: number, y: number) => [...png.data.subarray((y * 16 + x) * 4, (y * 16 + x) * 4 + 4)];
    assert.deepEqual(at(0, 0), [100, 0, 0, 255]);
    assert.deepEqual(at(15, 7), [150, 0, 70, 255]);
  });

  it('refuses a blob name that would leave blobs/, a missing blob and one that is not a picture, saying which', async () => {
    const shape = [1, 3, 16, 16];
    await assert.rejects(feedbackThumbnail(dataDir, { datatype: 'FP32', shape, blob: 'blobs/../../etc/passwd' }), /is not a blob this server writes/);
    await assert.rejects(feedbackThumbnail(dataDir, { datatype: 'FP32', shape, blob: `blobs/${'a'.repeat(64)}.json` }), /ENOENT/);
    const wrongLength = await new BlobStore(dataDir).put(JSON.stringify([1, 2, 3]));
    await assert.rejects(feedbackThumbnail(dataDir, { datatype: 'FP32', shape, blob: wrongLength }), /not a FP32 picture of shape \[1, 3, 16, 16\]/);
    const notJson = `blobs/${'b'.repeat(64)}.json`;
    writeFileSync(path.join(dataDir, notJson), '[1, 2,');
    await assert.rejects(feedbackThumbnail(dataDir, { datatype: 'FP32', shape, blob: notJson }), /is not the JSON of a tensor/);
    assert.equal(pictureInput({ inputs: { features: { datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] } } }), undefined);
  });

  it('the view takes a thumbnail only as a PNG or SVG data URL of bounded size (never a URL it would fetch, never markup)', () => {
    const ok = { type: 'thumbnail', id: 'r1', image: 'data:image/png;base64,iVBORw0KGgo=' };
    assert.equal(isToWebview(ok), true);
    for (const image of ['https://example.com/x.png', 'data:text/html;base64,PHNjcmlwdD4=', 'data:image/png;base64,<svg onload=alert(1)>', 'javascript:alert(1)',
      `data:image/png;base64,${'A'.repeat(100_001)}`]) {
      assert.equal(isToWebview({ ...ok, image }), false, image.slice(0, 40));
    }
  });
});
