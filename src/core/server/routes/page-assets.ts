import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** One file the page may load, and how long the browser may keep it. */
export interface PageAsset {
  file: string;
  type: string;
  /** Its name carries its content's hash (webpack's chunks): the same name is always the same bytes. */
  hashedName: boolean;
}

const JS = 'text/javascript; charset=utf-8';

/** The page's script and stylesheet, by the only fixed names served. */
const FIXED: Record<string, PageAsset> = {
  'page.js': { file: 'page.js', type: JS, hashedName: false },
  'page.css': { file: 'page.css', type: 'text/css; charset=utf-8', hashedName: false },
};

/** webpack's lazily loaded parts of the page (`chunkFilename` in webpack.config.js): `page-<name>.<12 hex>.js`. */
const CHUNK = /^page-[a-z0-9-]+\.[0-9a-f]{12}\.js$/;

/**
 * Where the webpack page bundle is: `dist/page/`. From the webpack server bundle `__dirname` is `dist/`; from the tsc
 * output (tests) it is `out/src/core/server/routes/`. Looked up again until found, so a page built after the server
 * started is picked up.
 */
let assetDir: string | undefined;
export function pageAssetDir(): string | undefined {
  if (assetDir) return assetDir;
  for (const candidate of [path.join(__dirname, 'page'), path.resolve(__dirname, '../../../../../dist/page')]) {
    if (existsSync(path.join(candidate, 'page.js'))) return (assetDir = candidate);
  }
  return undefined;
}

/**
 * The asset a request names, or undefined. No name from a request reaches the file system: a fixed name maps to its
 * file, and a chunk's name must equal an entry of the folder's own listing (read again when a name is not in it, so
 * a rebuilt page's new chunks are found).
 */
let listing: { dir: string; names: Set<string> } | undefined;
export function pageAsset(dir: string, name: string): PageAsset | undefined {
  if (Object.hasOwn(FIXED, name)) return FIXED[name]; // not __proto__ or constructor
  if (!CHUNK.test(name)) return undefined;
  if (listing?.dir !== dir || !listing.names.has(name)) listing = { dir, names: new Set(readdirSync(dir).filter((f) => CHUNK.test(f))) };
  return listing.names.has(name) ? { file: name, type: JS, hashedName: true } : undefined;
}

/**
 * A fixed-name asset's version: the first 12 hex digits of its content's SHA-256, remembered until the file changes
 * (a rebuild while the server runs). The HTML shell links `assets/page.js?v=<version>`, so the browser may keep that
 * URL for good and a new build is a new URL.
 */
const versions = new Map<string, { mtimeMs: number; size: number; version: string }>();
export function assetVersion(dir: string, file: string): string | undefined {
  const full = path.join(dir, file);
  try {
    const { mtimeMs, size } = statSync(full);
    const known = versions.get(full);
    if (known && known.mtimeMs === mtimeMs && known.size === size) return known.version;
    const version = createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 12);
    versions.set(full, { mtimeMs, size, version });
    return version;
  } catch {
    return undefined;
  }
}

/** A year: "for good", as browsers read `immutable`. */
const FOR_GOOD = 'private, max-age=31536000, immutable';

/**
 * The caching headers of one asset answer. A chunk (hashed name) or a fixed name asked for at its current version is
 * kept for good; anything else is revalidated every time (`no-cache` with an ETag: a 304 costs a round trip, not the
 * bytes, and the browser keeps its compiled script). `private`: the assets sit behind the share token.
 */
export function assetCacheHeaders(dir: string, asset: PageAsset, askedVersion: unknown): Record<string, string> {
  if (asset.hashedName) return { 'Cache-Control': FOR_GOOD };
  const version = assetVersion(dir, asset.file);
  if (version === undefined) return { 'Cache-Control': 'no-store' };
  return { 'Cache-Control': askedVersion === version ? FOR_GOOD : 'private, no-cache', ETag: `"${version}"` };
}
