/**
 * The notebook cell "Insert feedback loader" adds: pandas reads every preview's feedback.jsonl under the data folder
 * (the extension keeps one subfolder per model; the CLI writes the folder itself), newest last, one row per feedback.
 * Large tensors are stored beside it in blobs/ and appear here as {"blob": ...} references. `regressions` is the "is it
 * fixed now?" table: one row per model version loaded, how many thumbs-down with a correction it answers as corrected.
 */
export function feedbackLoaderCell(dataFolder: string): string {
  const folder = JSON.stringify(dataFolder.replace(/\\/g, '/'));
  return [
    '# Stakeholder feedback collected by Model Preview (one row per rating, with the exact input and output).',
    'import glob, os',
    'import pandas as pd',
    '',
    `files = glob.glob(os.path.join(${folder}, "**", "feedback.jsonl"), recursive=True)`,
    'feedback = (pd.concat([pd.read_json(f, lines=True) for f in files], ignore_index=True)',
    '            .sort_values("ts") if files else pd.DataFrame())',
    '',
    '# "Is it fixed now?": per version loaded, the thumbs-down with a correction it now answers as corrected.',
    `replays = glob.glob(os.path.join(${folder}, "**", "regressions.jsonl"), recursive=True)`,
    'regressions = (pd.concat([pd.read_json(f, lines=True) for f in replays], ignore_index=True)',
    '               .sort_values("ts")[["ts", "model", "previousVersion", "modelVersion", "total", "fixed", "stillWrong", "failed", "broke"]]',
    '               if replays else pd.DataFrame())',
    'feedback',
  ].join('\n');
}
