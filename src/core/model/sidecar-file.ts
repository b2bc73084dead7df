import { readFile } from 'node:fs/promises';
import { withoutBom } from '../../shared/without-bom';
import { SidecarSchema, sidecarPathFor, type Sidecar } from '../../shared/sidecar';

export { sidecarPathFor };

export type SidecarResult = { sidecar?: Sidecar; error?: string };

/** Reads `<model>.preview.json` if there is one. A broken sidecar never stops serving: the error is reported instead. */
export async function readSidecar(modelFile: string): Promise<SidecarResult> {
  const file = sidecarPathFor(modelFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { error: `${file}: ${(err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(withoutBom(text));
  } catch (err) {
    return { error: `${file}: not valid JSON (${(err as Error).message})` };
  }
  const parsed = SidecarSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    return { error: `${file}: ${issues.join('; ')}` };
  }
  return { sidecar: parsed.data };
}
