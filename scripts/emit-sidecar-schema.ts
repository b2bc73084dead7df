import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sidecarJsonSchema } from '../src/shared/sidecar';

/** Writes docs/sidecar.schema.json from the zod schema (`npm run schema`). */
const out = path.resolve(__dirname, '../../docs/sidecar.schema.json');
writeFileSync(out, JSON.stringify(sidecarJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${out}\n`);
