/**
 * The notebook cells "Insert export cell" adds: the export helper itself (python/model_preview_export.py, shipped in
 * the extension, so the notebook works anywhere without it), then the call to fill in. The call stays a comment until
 * the data scientist names their model and data: running the cells as inserted exports nothing by surprise.
 */
export function exportCells(helperSource: string): string[] {
  const helper = [
    '# Model Preview export helper (defines export_for_preview and write_preview_sidecar; run once).',
    helperSource.trimEnd(),
  ].join('\n');
  const call = [
    '# Export the model with the page settings stakeholders see (labels, units, ranges, categories, class names, examples).',
    '# Fill in your names, uncomment, and run. Model Preview notices model.onnx and model.preview.json beside it.',
    '# export_for_preview(',
    '#     model,                      # a torch.nn.Module, or a fitted scikit-learn estimator / pipeline',
    '#     "model.onnx",',
    '#     X_train,                    # the training features, a pandas DataFrame: its columns label the fields',
    '#     held_out=X_test,            # a few real examples are taken from these rows',
    '#     class_names=[...],          # the name of each class, in output order (scikit-learn: its classes_)',
    '#     units={"column": "unit"},',
    '#     examples={"A boundary case": X_test.iloc[0]},',
    '# )',
  ].join('\n');
  return [helper, call];
}
