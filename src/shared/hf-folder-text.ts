import type { ModelDescription } from './model-card';

/**
 * What was read from a Hugging Face export folder beside a model, in words, for `inspect` and the Models view: the
 * text input (tokenizer, inputs it fills, length and where the length came from), then what could not be used.
 */
export function hfFolderLines(d: Pick<ModelDescription, 'folder' | 'text'>): string[] {
  const lines: string[] = [];
  if (d.text) {
    lines.push(`takes text: tokenizer ${d.text.tokenizer}; fills ${Object.values(d.text.inputs).join(', ')}`);
    lines.push(`at most ${d.text.maxLength} tokens (${d.text.maxLengthFrom})`);
  }
  for (const problem of d.folder?.problems ?? []) lines.push(`not used: ${problem}`);
  return lines;
}
