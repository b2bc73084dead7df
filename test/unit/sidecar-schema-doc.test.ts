import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sidecarJsonSchema } from '../../src/shared/sidecar';

describe('docs/sidecar.schema.json', () => {
  it('is what the zod schema emits today (run `npm run schema` after changing src/shared/sidecar.ts)', () => {
    const published = JSON.parse(readFileSync(path.resolve(__dirname, '../../../docs/sidecar.schema.json'), 'utf8'));
    assert.deepEqual(published, JSON.parse(JSON.stringify(sidecarJsonSchema())));
  });
});
