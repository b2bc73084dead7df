/**
 * The `.onnx` paths a notebook's code names in string literals (`torch.onnx.export(model, x, "iris.onnx")`,
 * `export_for_preview(model, "models/iris.onnx", ...)`), in cell order, without comment lines (the inserted export
 * cell's call is a comment until filled in). Which of them the notebook exported last is decided by the files'
 * modification times (notebook-commands.ts); this part is plain text work, unit-tested as is.
 */
export function onnxPathsIn(cellSources: readonly string[]): string[] {
  const found: string[] = [];
  for (const source of cellSources) {
    for (const line of source.split('\n')) {
      if (line.trimStart().startsWith('#')) continue;
      for (const match of line.matchAll(/(?:^|[^\w])[rRbBuUfF]?(["'])([^"'\n]+?\.onnx)\1/g)) {
        if (!match[2].includes('{')) found.push(match[2]); // an f-string's placeholder names no file
      }
    }
  }
  return found;
}
