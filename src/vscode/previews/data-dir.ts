import * as path from 'node:path';

/**
 * The data folder of a published model: `<workspace>/<dataFolder>/<its path in the workspace, without .onnx>/`. Each
 * model file gets its own tokens and feedback, even when two are both called model.onnx in different folders (torch's
 * usual export name). A file outside the workspace folder (another drive on Windows) uses its name only.
 *
 * Paths are read with the rules of `process.platform` (drive letters, `\` and `/` on Windows, where the drive letter's
 * case and the folders' case do not matter). Each folder name is one Windows accepts, on every platform, so a workspace
 * shared between Windows and Linux or WSL finds the same folders: see `windowsSafeName`.
 */
export function dataDirFor(file: string, workspaceFolder: string, dataFolder: string): string {
  const p = process.platform === 'win32' ? path.win32 : path.posix;
  const relative = p.relative(workspaceFolder, file);
  const inside = relative && !relative.startsWith('..') && !p.isAbsolute(relative) ? relative : p.basename(file);
  const withoutExtension = inside.slice(0, inside.length - p.extname(inside).length);
  return p.join(workspaceFolder, dataFolder, ...withoutExtension.split(p.sep).filter(Boolean).map(windowsSafeName));
}

/** Names Windows reserves for devices, with or without an extension (`aux.onnx`'s folder would be `aux`). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * A folder name Windows can create: characters it forbids (`<>:"|?*` and control characters; Linux and macOS allow
 * them in a model's name) become `_`, a trailing dot or space (which Windows silently drops, so `model.` and `model`
 * would share a folder) gets a `_`, and a reserved device name gets a `_` appended.
 */
export function windowsSafeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  let safe = name.replace(/[<>:"|?*\u0000-\u001f]/g, '_');
  if (/[. ]$/.test(safe)) safe += '_';
  if (RESERVED.test(safe)) safe += '_';
  return safe;
}
