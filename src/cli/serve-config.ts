import { readFile } from 'node:fs/promises';
import { withoutBom } from '../shared/without-bom';
import { z } from 'zod';
import { TunnelConfigSchema } from '../shared/tunnel-config';

/**
 * `model-preview serve --config <file>`: the settings worth keeping in a file (a team's ssh bastion, its host key,
 * the link lifetime). Flags given on the command line win over the file. Keep secrets out of it: NGROK_AUTHTOKEN,
 * MODEL_PREVIEW_SSH_PASSPHRASE and MODEL_PREVIEW_PASSWORD come from the environment. (ngrok's basic-auth credentials
 * are the exception: ngrok takes them as settings, so they are in the file or on the command line.)
 */
export const ServeConfigSchema = z.object({
  tunnel: TunnelConfigSchema.optional(),
  /** Share link lifetime, e.g. "2h", "7d" or "never". */
  expires: z.string().optional(),
  /** Let git see predictions.jsonl, feedback.jsonl and blobs/ (by default the data folder's .gitignore hides them). */
  keepFeedbackInGit: z.boolean().optional(),
  rateLimits: z.object({
    predictionsPerMinute: z.number().int().min(0).optional(),
    feedbackPerMinute: z.number().int().min(0).optional(),
  }).strict().optional(),
  /** Open connections allowed per client and in all, as the --max-connections* flags. */
  connectionLimits: z.object({
    perClient: z.number().int().min(0).optional(),
    total: z.number().int().min(0).optional(),
  }).strict().optional(),
}).strict();

export type ServeConfig = z.infer<typeof ServeConfigSchema>;

/** Reads and checks a config file; the error names the file and each wrong field. */
export async function readServeConfig(file: string): Promise<ServeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the config file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(withoutBom(text));
  } catch (err) {
    throw new Error(`the config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ServeConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new Error(`the config file ${file} is not valid: ${problems}`);
  }
  return parsed.data;
}
