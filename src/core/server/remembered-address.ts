import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';

/**
 * `<data-dir>/address.json`: the address a preview of this folder had, so the next start (CLI or extension, after a
 * stop, a crash, a reload or a reboot) serves at the same local link and asks its tunnel for the same public one.
 * Tokens are kept in tokens.json: with the same port and the same token, the link is the same byte for byte.
 */
const RememberedAddressSchema = z.object({
  port: z.number().int().min(1).max(65_535).optional(),
  tunnel: z.object({
    provider: z.string(),
    /** What the provider needs to give the same public URL again (the ssh remote port, the pipenet subdomain). */
    hint: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    publicUrl: z.string().optional(),
  }).optional(),
});
export type RememberedAddress = z.infer<typeof RememberedAddressSchema>;

const FILE = 'address.json';

/**
 * Ports a preview picks by itself: 20000-29999, below every OS's ephemeral range (Linux 32768-60999, macOS and
 * Windows 49152-65535), so outgoing connections never take it and a reboot does not hand it to someone else.
 */
export const REMEMBERED_PORT_RANGE = { first: 20_000, count: 10_000 } as const;
/** How many ports of the range a start tries before it takes any free one. */
const PORT_TRIES = 64;

/** The folder's own place in the range: two previews of different folders rarely start on the same port. */
export function portForDataDir(dataDir: string): number {
  const digest = createHash('sha256').update(path.resolve(dataDir)).digest();
  return REMEMBERED_PORT_RANGE.first + (digest.readUInt32BE(0) % REMEMBERED_PORT_RANGE.count);
}

/** The ports to try after `taken`, in order: the next ones of the range (wrapping round), then 0 (any free port). */
export function* portsAfter(taken: number): Generator<number> {
  const { first, count } = REMEMBERED_PORT_RANGE;
  const start = taken >= first && taken < first + count ? taken - first : 0;
  for (let i = 1; i < PORT_TRIES; i++) yield first + ((start + i) % count);
  yield 0;
}

export async function readRememberedAddress(dataDir: string): Promise<RememberedAddress | undefined> {
  try {
    const parsed = RememberedAddressSchema.safeParse(JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // none yet, or unreadable: the folder's own port is as good
  }
}

/** Written whole and renamed: a crash mid-write leaves the old address, never half of one. */
export async function saveRememberedAddress(dataDir: string, address: RememberedAddress): Promise<void> {
  const file = path.join(dataDir, FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(address, null, 2) + '\n');
  await rename(temporary, file);
}
