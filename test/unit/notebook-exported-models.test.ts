import assert from 'node:assert/strict';
import { onnxPathsIn } from '../../src/vscode/notebook/exported-models';

describe('notebook: the .onnx files a notebook\'s code names (the toolbar\'s Publish model preview)', () => {
  it('finds the paths in export calls, in cell order, single or double quoted, raw strings too', () => {
    assert.deepEqual(onnxPathsIn([
      'torch.onnx.export(model, x, "iris.onnx", input_names=["features"])',
      "export_for_preview(model, r'models/v2.onnx', X_train)\npath = 'runs/a/model.onnx'",
    ]), ['iris.onnx', 'models/v2.onnx', 'runs/a/model.onnx']);
  });

  it('skips comment lines (the inserted export cell until filled in), f-string placeholders and other files', () => {
    assert.deepEqual(onnxPathsIn([
      '# export_for_preview(\n#     model,\n#     "model.onnx",',
      'f"{name}.onnx"\nopen("data.csv")\nprint("done")',
    ]), []);
  });
});
