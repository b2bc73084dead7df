/**
 * Which ssh server the tunnel trusts. The server's host key must be pinned (a public key, a known_hosts line or an
 * OpenSSH `SHA256:` fingerprint), or the caller must explicitly choose trust-on-first-use with a known_hosts file of
 * its own. Without that, anyone on the path could pose as the server and read every request the public sends.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { TunnelError } from './tunnel-provider';

/** `hostKey` value that accepts an unknown server's key once and records it in `knownHostsFile`. */
export const TRUST_ON_FIRST_USE = 'trust-on-first-use';

/** The tunnel options that decide trust (see `SshTunnelOptions` for what each one takes). */
export interface HostKeySettings {
  host: string;
  hostKey?: string;
  /** What the user calls the host key setting (a flag, a config file key), for messages. Default `hostKey`. */
  hostKeySetting?: string;
  knownHostsFile?: string;
}

/** How one connection checks the server's key, and what to say when it does not match. */
export interface HostKeyTrust {
  /** Restricts the negotiated host key type to the pinned ones (else the server may present another of its keys). */
  algorithms?: ServerHostKeyAlgorithm[];
  verify(key: Buffer): boolean;
  /** After a refused key: the error to report instead of ssh2's "Host denied". */
  refusal(): TunnelError | undefined;
  /** After a failed handshake: the error to report when it failed because the server has no key of the pinned type. */
  handshakeRefusal(message: string): TunnelError | undefined;
  /** Trust-on-first-use: writes the key just accepted, once logged in. */
  recordIfNew(): Promise<void>;
}

/** SHA256 fingerprint of a raw host key blob, exactly as OpenSSH prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

interface Pins {
  blobs: Buffer[];
  fingerprints: string[];
}

/** Host key algorithm names ssh2 can negotiate for each key type. */
const ALGORITHMS_OF_TYPE: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Checks the settings (no network) and reads the known_hosts file for trust-on-first-use; throws permanent TunnelErrors. */
export async function hostKeyTrust(settings: HostKeySettings, port: number, where: string): Promise<HostKeyTrust> {
  const hostKey = settings.hostKey?.trim();
  const setting = settings.hostKeySetting ?? 'hostKey';
  if (!hostKey) {
    throw new TunnelError(`the ssh tunnel to ${where} needs the server's host key pinned (${setting} "ssh-ed25519 AAAA…", a known_hosts line or "SHA256:…"; \`ssh-keyscan -p ${port} ${settings.host}\` prints it — check it on a trusted network), or ${setting} "${TRUST_ON_FIRST_USE}" (the key met first is recorded and required from then on)`, true);
  }
  if (hostKey !== TRUST_ON_FIRST_USE) return pinnedTrust(parsePins(hostKey, setting), where, `update ${setting}`);

  const file = settings.knownHostsFile;
  if (!file) throw new TunnelError(`hostKey "${TRUST_ON_FIRST_USE}" needs a knownHostsFile to record the server's key in`, true);
  const name = port === 22 ? settings.host : `[${settings.host}]:${port}`;
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new TunnelError(`cannot read ${file}: ${(err as Error).message}`, true);
  }
  const known = parsePins(knownHostsLinesFor(text, name).join('\n'), file);
  if (known.blobs.length > 0) return pinnedTrust(known, where, `remove the line for ${name} from ${file}`);

  // First use: take whatever key the server shows, and write it down once the login worked.
  let seen: Buffer | undefined;
  let recorded = false;
  return {
    verify: (key) => {
      seen = Buffer.from(key);
      return true;
    },
    refusal: () => undefined,
    handshakeRefusal: () => undefined,
    recordIfNew: async () => {
      if (recorded || !seen) return;
      recorded = true;
      const type = seen.subarray(4, 4 + seen.readUInt32BE(0)).toString('latin1');
      try {
        await appendFile(file, `${name} ${type} ${seen.toString('base64')}\n`, { mode: 0o600 });
      } catch (err) {
        throw new TunnelError(`cannot record the ssh host key of ${where} in ${file}: ${(err as Error).message}`, true);
      }
    },
  };
}

/** `remedy`: what to do when the server's key changed for a good reason. */
function pinnedTrust(pins: Pins, where: string, remedy: string): HostKeyTrust {
  let refused: Buffer | undefined;
  const types = pins.blobs.map(keyType);
  const algorithms = pins.fingerprints.length === 0 && types.every((t) => t in ALGORITHMS_OF_TYPE) ? [...new Set(types.flatMap((t) => ALGORITHMS_OF_TYPE[t]))] : undefined;
  // The key types those algorithms stand for, for the message when the server has none of them.
  const pinnedTypes = algorithms && [...new Set(types)];
  return {
    algorithms,
    verify: (key) => {
      const ok = pins.blobs.some((blob) => blob.equals(key)) || pins.fingerprints.includes(sshFingerprint(key));
      if (!ok) refused = Buffer.from(key);
      return ok;
    },
    refusal: () => {
      if (!refused) return undefined;
      const pinned = [...pins.blobs.map(sshFingerprint), ...pins.fingerprints].join(' or ');
      return new TunnelError(`the ssh host key of ${where} is ${sshFingerprint(refused)}, but you pinned ${pinned} — if the server was re-keyed, ${remedy}; otherwise someone may be posing as the server`, true);
    },
    handshakeRefusal: (message) => {
      if (!pinnedTypes || !/host key/i.test(message)) return undefined;
      return new TunnelError(`the ssh server ${where} has no ${pinnedTypes.join(' or ')} host key, the type you pinned — if the server was re-keyed, ${remedy}; otherwise someone may be posing as the server`, true);
    },
    recordIfNew: async () => undefined,
  };
}

function keyType(blob: Buffer): string {
  return blob.length >= 4 ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') : '';
}

/** Public keys and fingerprints out of pinned text: one per line; known_hosts host fields and comments are ignored. */
function parsePins(text: string, source: string): Pins {
  const pins: Pins = { blobs: [], fingerprints: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fingerprint = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(line);
    if (fingerprint) {
      pins.fingerprints.push(`SHA256:${fingerprint[1]}`);
      continue;
    }
    if (line.startsWith('@')) throw new TunnelError(`${source}: known_hosts markers (${line.split(/\s/)[0]}) are not supported; pin the key itself`, true);
    const tokens = line.split(/\s+/);
    const at = tokens.findIndex((t, i) => /^(ssh-|ecdsa-|sk-)/.test(t) && i + 1 < tokens.length);
    const blob = at >= 0 ? Buffer.from(tokens[at + 1], 'base64') : undefined;
    if (!blob || keyType(blob) !== tokens[at]) {
      throw new TunnelError(`${source}: ${JSON.stringify(line.slice(0, 80))} is neither an OpenSSH public key ("ssh-ed25519 AAAA…"), a known_hosts line, nor a fingerprint ("SHA256:…")`, true);
    }
    pins.blobs.push(blob);
  }
  return pins;
}

/** The lines of a known_hosts file that name `name` (plain or hashed `|1|salt|hash` host fields; no wildcards). */
function knownHostsLinesFor(text: string, name: string): string[] {
  const wanted = name.toLowerCase();
  return text.split(/\r?\n/).filter((line) => {
    const [hosts] = line.trim().split(/\s+/);
    if (!hosts || hosts.startsWith('#') || hosts.startsWith('@')) return false;
    return hosts.split(',').some((entry) => {
      if (entry.startsWith('|1|')) {
        const [, , salt, hash] = entry.split('|');
        return createHmac('sha1', Buffer.from(salt ?? '', 'base64')).update(name).digest('base64') === hash;
      }
      return entry.toLowerCase() === wanted;
    });
  });
}
