import * as path from 'node:path';

/**
 * The data folder of a published model: `<workspace>/<dataFolder>/<its path in the workspace, without .onnx>/`. Each
 * model file gets its own tokens and feedback, even when two are both called model.onnx in different folders (torch's
 * usual export name). A file outside the workspace folder uses its name only.
 */
export function dataDirFor(file: string, workspaceFolder: string, dataFolder: string): string {
  const relative = path.relative(workspaceFolder, file);
  const inside = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.basename(file);
  return path.join(workspaceFolder, dataFolder, inside.slice(0, inside.length - path.extname(inside).length));
}
