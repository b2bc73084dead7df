import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeDataGitignore } from '../store/data-gitignore';
import { newToken, type Tokens } from './access';
import { TOKENS_FILE as FILE } from '../../shared/server-info';

/**
 * Tokens live in the data folder (mode 0600) so a restarted server keeps the same share link: a stakeholder's open
 * page and cookie stay valid. The folder's .gitignore keeps the tokens out of git (see data-gitignore.ts).
 */
export async function loadOrCreateTokens(dataDir: string, now: () => number = Date.now): Promise<Tokens> {
  const file = path.join(dataDir, FILE);
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Partial<Tokens>;
    if (typeof saved.shareToken === 'string' && saved.shareToken.length >= 22 && typeof saved.ownerToken === 'string' && saved.ownerToken.length >= 22) {
      const issued = typeof saved.shareIssuedAt === 'string' && !Number.isNaN(Date.parse(saved.shareIssuedAt)) ? saved.shareIssuedAt : undefined;
      const previous = Array.isArray(saved.previousShareDigests) ? saved.previousShareDigests.filter((d) => typeof d === 'string' && /^[0-9a-f]{64}$/.test(d)) : [];
      if (issued) return { shareToken: saved.shareToken, ownerToken: saved.ownerToken, shareIssuedAt: issued, ...(previous.length > 0 ? { previousShareDigests: previous } : {}) };
      // A file from before links could expire: its link counts as issued now, and the file says so from now on.
      const upgraded = { shareToken: saved.shareToken, ownerToken: saved.ownerToken, shareIssuedAt: new Date(now()).toISOString() };
      await saveTokens(dataDir, upgraded);
      return upgraded;
    }
  } catch {
    // no tokens yet, or an unreadable file: make new ones
  }
  const tokens = { shareToken: newToken(), ownerToken: newToken(), shareIssuedAt: new Date(now()).toISOString() };
  await saveTokens(dataDir, tokens);
  return tokens;
}

export async function saveTokens(dataDir: string, tokens: Tokens): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeDataGitignore(dataDir);
  // Written whole to a temporary file and renamed: a crash mid-write must not lose the owner token.
  const file = path.join(dataDir, FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(tokens, null, 2) + '\n', { mode: 0o600 });
  await rename(temporary, file);
}

export const tokensFile = (dataDir: string): string => path.join(dataDir, FILE);
