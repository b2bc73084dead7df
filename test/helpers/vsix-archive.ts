import { buffer } from 'node:stream/consumers';
import * as yauzl from 'yauzl';

/**
 * Every file of a VSIX under its `extension/` folder — where VS Code puts the extension when it installs it — keyed by
 * its path there (`dist/cli.js`, `node_modules/...`). A VSIX is a zip; the whole of one (~65 MB unpacked) fits in memory.
 */
export async function readVsixExtension(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z)));
  });
  const files = new Map<string, Buffer>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.startsWith('extension/') || entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          buffer(stream).then((data) => {
            files.set(entry.fileName.slice('extension/'.length), data);
            zip.readEntry();
          }, reject);
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return files;
}
