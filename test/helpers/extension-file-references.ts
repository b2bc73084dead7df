import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** A file (or folder) the installed extension reads, and where that was found. */
export interface FileReference {
  path: string;
  from: string;
  /** A folder given to VS Code as a whole (a webview's localResourceRoots): it must hold files. */
  folder?: boolean;
  /** Opened through `openExtensionDoc`, which finds the file under any case (the packager renames the README). */
  anyCase?: boolean;
}

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * The files the extension opens, found where they are named rather than listed by hand: package.json (`main`, icons,
 * walkthrough media, `command:modelPreview.openDocs?...` links, `jsonValidation` schemas), the walkthrough's markdown (the same links), and the
 * extension's code — string-literal paths joined to `extensionUri` / `extensionPath`, the Feedback view's `asset(...)`
 * helper (a joinPath on the extension URI), and the documents passed to `openExtensionDoc`.
 */
export function filesTheExtensionOpens(): FileReference[] {
  const refs: FileReference[] = [];
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
  refs.push({ path: normalize(manifest.main), from: 'package.json main' });
  for (const [container, entries] of Object.entries(manifest.contributes.viewsContainers ?? {})) {
    for (const c of entries) if (c.icon) refs.push({ path: normalize(c.icon), from: `package.json viewsContainers.${container}` });
  }
  for (const views of Object.values(manifest.contributes.views ?? {})) {
    for (const v of views) if (v.icon) refs.push({ path: normalize(v.icon), from: `package.json view ${v.id}` });
  }
  for (const walkthrough of manifest.contributes.walkthroughs ?? []) {
    for (const step of walkthrough.steps) {
      const from = `walkthrough step ${walkthrough.id}/${step.id}`;
      for (const media of mediaPaths(step.media)) {
        refs.push({ path: normalize(media), from });
        if (media.endsWith('.md')) refs.push(...openDocsLinks(readFileSync(path.join(repoRoot, media), 'utf8'), media));
      }
      refs.push(...openDocsLinks(step.description, from));
    }
  }
  for (const welcome of manifest.contributes.viewsWelcome ?? []) refs.push(...openDocsLinks(welcome.contents, `viewsWelcome ${welcome.view}`));
  // The JSON schemas VS Code validates files with (a missing one is a silent "no validation").
  for (const v of manifest.contributes.jsonValidation ?? []) if (!/^[a-z]+:/i.test(v.url)) refs.push({ path: normalize(v.url), from: `package.json jsonValidation ${v.fileMatch}` });

  for (const file of sourceFiles(path.join(repoRoot, 'src', 'vscode'))) {
    const text = readFileSync(file, 'utf8');
    const from = path.relative(repoRoot, file);
    const patterns = [
      /joinPath\(\s*[\w.]*extensionUri\s*,\s*((?:'[^']*'\s*,?\s*)+)\)/g,
      /path\.join\(\s*[\w.]*extensionPath\s*,\s*((?:'[^']*'\s*,?\s*)+)\)/g,
      /\basset\(\s*((?:'[^']*'\s*,?\s*)+)\)/g,
    ];
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        const segments = [...match[1].matchAll(/'([^']*)'/g)].map((m) => m[1]);
        const joined = segments.join('/');
        // a path with no file extension is a folder (the webview's localResourceRoots)
        refs.push({ path: joined, from, folder: !/\.[a-z0-9]+$/i.test(joined) });
      }
    }
  }
  // The documents opened by name: `openExtensionDoc(context, README)` opens extension-docs.ts's README constant.
  const docs = readFileSync(path.join(repoRoot, 'src', 'vscode', 'docs', 'extension-docs.ts'), 'utf8');
  for (const match of docs.matchAll(/export const \w+ = '([^']+\.md)'/g)) refs.push({ path: match[1], from: 'src/vscode/docs/extension-docs.ts', anyCase: true });
  return refs;
}

/** Relative links (and `<img src>`s) of a markdown file: where a reader of the installed copy can click. */
export function relativeLinks(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g), ...markdown.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1]);
  return links.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l) && !l.startsWith('#')).map((l) => l.replace(/[#?].*$/, ''));
}

/** `command:modelPreview.openDocs?["docs/x.md"]` links: the document named must be shipped. */
function openDocsLinks(text: string, from: string): FileReference[] {
  return [...text.matchAll(/command:modelPreview\.openDocs\?([^)\s"]+)/g)].map((m) => {
    const [doc] = JSON.parse(decodeURIComponent(m[1])) as [string];
    return { path: doc, from: `${from} (openDocs link)`, anyCase: true };
  });
}

function mediaPaths(media: WalkthroughMedia): string[] {
  const image = media.image ?? media.svg;
  const images = typeof image === 'string' ? [image] : image ? Object.values(image) : [];
  return [...images, ...(media.markdown ? [media.markdown] : [])];
}

function normalize(p: string): string {
  return path.posix.normalize(p).replace(/^\.\//, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

interface WalkthroughMedia {
  image?: string | Record<string, string>;
  svg?: string | Record<string, string>;
  markdown?: string;
}

interface Manifest {
  main: string;
  contributes: {
    viewsContainers?: Record<string, { icon?: string }[]>;
    views?: Record<string, { id: string; icon?: string }[]>;
    viewsWelcome?: { view: string; contents: string }[];
    jsonValidation?: { fileMatch: string | string[]; url: string }[];
    walkthroughs?: { id: string; steps: { id: string; description: string; media: WalkthroughMedia }[] }[];
  };
}
