import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The files a Hugging Face export (`optimum`, `transformers`' `save_pretrained`) writes beside `model.onnx`: class
 * names and the problem type, the tokenizer, and the image or audio preprocessing. They are read with the model, as
 * part of the same version (a new tokenizer changes the answers as much as new weights do), and watched with it.
 */
export const HF_FOLDER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', 'vocab.json', 'vocab.txt'] as const;
export type HfFolderFile = (typeof HF_FOLDER_FILES)[number];

/** The text of each of those files that exists beside the model. */
export type HfFolderTexts = Partial<Record<HfFolderFile, string>>;

/** Larger than any real tokenizer.json (a 250k-token multilingual vocabulary is ~17 MB). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export const hfFolderPaths = (modelFile: string): string[] => HF_FOLDER_FILES.map((f) => path.join(path.dirname(path.resolve(modelFile)), f));

/** Reads the folder's files; a missing one is simply absent, an unreadable one is left out (the parse step says why). */
export async function readHfFolder(modelFile: string): Promise<HfFolderTexts> {
  const texts: HfFolderTexts = {};
  await Promise.all(HF_FOLDER_FILES.map(async (name, i) => {
    try {
      const bytes = await readFile(hfFolderPaths(modelFile)[i]);
      if (bytes.length <= MAX_FILE_BYTES) texts[name] = bytes.toString('utf8');
    } catch {
      // absent (the common case: a plain model file), or not readable: the model is served without it
    }
  }));
  return texts;
}

/** The folder's files parsed: each JSON object, and in words what could not be used (shown by `inspect` and the page). */
export interface HfFolder {
  config?: Record<string, unknown>;
  tokenizer?: Record<string, unknown>;
  tokenizerConfig?: Record<string, unknown>;
  preprocessor?: Record<string, unknown>;
  /** A vocabulary: `vocab.json` ({token: id}, as wav2vec2 writes it) or `vocab.txt` (one token per line). */
  vocabulary?: string[];
  /** The files that were read, in HF_FOLDER_FILES order. */
  files: HfFolderFile[];
  problems: string[];
}

const KEYS: Record<Exclude<HfFolderFile, 'vocab.txt' | 'vocab.json'>, 'config' | 'tokenizer' | 'tokenizerConfig' | 'preprocessor'> = {
  'config.json': 'config', 'tokenizer.json': 'tokenizer', 'tokenizer_config.json': 'tokenizerConfig', 'preprocessor_config.json': 'preprocessor',
};

/** {token: id} as a list by id; undefined when the ids are not 0..n-1. */
function vocabularyFromJson(value: Record<string, unknown>): string[] | undefined {
  const names: string[] = [];
  for (const [token, id] of Object.entries(value)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= 1_000_000) return undefined;
    names[id] = token;
  }
  return names.length > 0 && names.every((n) => n !== undefined) ? names : undefined;
}

export function parseHfFolder(texts: HfFolderTexts | undefined): HfFolder {
  const folder: HfFolder = { files: [], problems: [] };
  for (const name of HF_FOLDER_FILES) {
    const text = texts?.[name];
    if (text === undefined) continue;
    if (name === 'vocab.txt') {
      // A BERT tokenizer's vocab.txt says the same as its tokenizer.json; a CTC model's is its class names.
      if (!folder.vocabulary) folder.vocabulary = text.replace(/^\uFEFF/, '').replace(/\r?\n$/, '').split(/\r?\n/);
      folder.files.push(name);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      folder.problems.push(`${name} is not valid JSON (${(err as Error).message}): ignored`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      folder.problems.push(`${name} is not a JSON object: ignored`);
      continue;
    }
    if (name === 'vocab.json') {
      const vocabulary = vocabularyFromJson(value as Record<string, unknown>);
      if (!vocabulary) {
        folder.problems.push('vocab.json does not map tokens to the ids 0, 1, 2...: ignored');
        continue;
      }
      folder.vocabulary = vocabulary;
    } else {
      folder[KEYS[name]] = value as Record<string, unknown>;
    }
    folder.files.push(name);
  }
  return folder;
}
