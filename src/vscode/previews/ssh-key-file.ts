import { readFile } from 'node:fs/promises';

const OPENSSH_MAGIC = 'openssh-key-v1\0';

/**
 * Whether a private key file is protected by a passphrase, so the extension asks for it once (and keeps it in
 * SecretStorage) instead of letting the server fail. Reads only the key's header: PEM keys say "ENCRYPTED"; OpenSSH
 * keys name their cipher right after the magic ("none" when unencrypted). An unreadable file answers false: the
 * server then names the file and the reason.
 */
export async function keyNeedsPassphrase(file: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return false;
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text)) return true;
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (!body) return false;
  const bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (bytes.subarray(0, OPENSSH_MAGIC.length).toString('latin1') !== OPENSSH_MAGIC || bytes.length < OPENSSH_MAGIC.length + 4) return false;
  const length = bytes.readUInt32BE(OPENSSH_MAGIC.length);
  const cipher = bytes.subarray(OPENSSH_MAGIC.length + 4, OPENSSH_MAGIC.length + 4 + length).toString('latin1');
  return cipher !== 'none';
}
