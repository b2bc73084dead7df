import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { exportCells } from '../../src/vscode/notebook/export-cells';
import { SidecarSchema } from '../../src/shared/sidecar';
import { ARTIFACTS, chromiumForSuite, DESKTOP, newContext } from '../e2e/browser';
import { FIXTURE_DIR, REPO_ROOT, startPreview, type Preview } from '../helpers/preview';

/**
 * The export helper the extension inserts into notebooks (python/model_preview_export.py), run for real with Debian's
 * Python, pandas and torch: on the iris notebook, with the cells exactly as "Insert export cell" adds them; and on a
 * scikit-learn-style DataFrame pipeline. Then the model is served and the page opened in Chromium: labelled fields,
 * categories and examples, with no hand-written sidecar.
 */
const PYTHON = '/usr/bin/python3';
const HELPER = path.join(REPO_ROOT, 'python', 'model_preview_export.py');

function python(script: string, cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, ['-c', script], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYTHONPATH: path.dirname(HELPER), ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CHURN_FRAME = `
import pandas as pd
frame = pd.read_csv(${JSON.stringify(path.join(FIXTURE_DIR, 'sklearn-dataframe.training.csv'))})
X, y = frame.drop(columns=["churn"]), frame["churn"]
X_train, X_test = X.iloc[:640], X.iloc[640:]
`;

async function openPage(browser: Browser, p: Preview): Promise<{ page: Page; close(): Promise<void> }> {
  const { context } = await newContext(browser, DESKTOP);
  const page = await context.newPage();
  await page.goto(`${p.baseUrl}/?t=${encodeURIComponent(p.shareToken)}`);
  await page.getByTestId('predict').waitFor({ timeout: 15_000 });
  return { page, close: () => context.close() };
}

describe('the notebook export helper, run for real', function () {
  this.timeout(180_000);
  const chromium = chromiumForSuite();

  it('the iris notebook with the inserted export cells: model + sidecar with names, units, ranges and held-out examples; the page shows them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-notebook-'));
    const notebook = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples/iris/train.ipynb'), 'utf8')) as { cells: Array<Record<string, unknown>> };
    const code = (source: string) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: source.split(/(?<=\n)/) });
    const [helperCell, callTemplate] = exportCells(readFileSync(HELPER, 'utf8'));
    assert.match(callTemplate, /^# export_for_preview\($/m, 'the inserted call is a comment until filled in');
    notebook.cells.push(code(helperCell), code(callTemplate), code([
      'import pandas as pd',
      'columns = list(iris.feature_names)',
      'export_for_preview(model, "iris-export.onnx", pd.DataFrame(X_train, columns=columns),',
      '                   held_out=pd.DataFrame(X_test, columns=columns), class_names=list(iris.target_names),',
      '                   units={c: "cm" for c in columns}, examples={"Picked by hand": X_test[0]})',
    ].join('\n')));
    writeFileSync(path.join(dir, 'train.ipynb'), JSON.stringify(notebook));
    const run = spawnSync(PYTHON, ['-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute', 'train.ipynb', '--output', 'executed.ipynb'],
      { cwd: dir, encoding: 'utf8', timeout: 150_000, env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' } });
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('iris-export')).sort(), ['iris-export.onnx', 'iris-export.preview.json']);

    const sidecar = SidecarSchema.parse(JSON.parse(readFileSync(path.join(dir, 'iris-export.preview.json'), 'utf8')));
    assert.deepEqual(sidecar.inputs?.features.fields?.[0], { label: 'sepal length (cm)', unit: 'cm', min: 4.3, max: 7.9, default: 5.8 });
    assert.deepEqual(sidecar.outputs?.scores.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(sidecar.examples?.map((e) => e.name), ['Picked by hand', 'Held-out example 1', 'Held-out example 2', 'Held-out example 3', 'Held-out example 4']);

    const p = await startPreview(path.join(dir, 'iris-export.onnx'));
    const { page, close } = await openPage(chromium(), p);
    try {
      // The names are in the model too (metadata written by the helper), so they survive without the sidecar.
      assert.equal(p.session.card()!.metadataProps.class_names, '["setosa", "versicolor", "virginica"]');
      const form = await page.getByTestId('input-form').innerText();
      for (const label of ['sepal length (cm)', 'petal width (cm)', 'usually 4.3 – 7.9 cm']) assert.ok(form.includes(label), `${label} in ${form}`);
      assert.ok(!form.includes('(cm) (cm)'), 'a label that names its unit does not get it twice');
      await page.getByTestId('example-0').click();
      await page.getByTestId('score-row').first().waitFor();
      assert.match(await page.getByTestId('answer').first().innerText(), /^(setosa|versicolor|virginica)/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-iris-export-helper.png'), fullPage: true });
    } finally {
      await close();
      await p.stop();
    }
  });

  it('a scikit-learn-style DataFrame pipeline: the sidecar gives ranges, categories and examples; the page has dropdowns and examples that predict', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-notebook-'));
    copyFileSync(path.join(FIXTURE_DIR, 'sklearn-dataframe.onnx'), path.join(dir, 'churn.onnx'));
    const r = python(`${CHURN_FRAME}
from model_preview_export import write_preview_sidecar
print(write_preview_sidecar("churn.onnx", X_train, held_out=X_test, class_names=["churns", "stays"], title="Will this customer leave?",
      units={"tenure_months": "months", "monthly_charges": "$ a month"},
      examples={"New customer on a monthly contract": {"tenure_months": 1, "monthly_charges": 99.5, "contract": "month-to-month", "payment_method": "electronic check"}}))
`, dir);
    assert.equal(r.status, 0, r.stderr);
    const sidecar = SidecarSchema.parse(JSON.parse(readFileSync(path.join(dir, 'churn.preview.json'), 'utf8')));
    assert.deepEqual(sidecar.inputs?.contract.choices, ['month-to-month', 'one year', 'two year']);
    assert.equal(sidecar.inputs?.tenure_months.unit, 'months');
    assert.deepEqual(sidecar.examples?.[0].inputs.contract, [['month-to-month']]);

    const p = await startPreview(path.join(dir, 'churn.onnx'));
    const { page, close } = await openPage(chromium(), p);
    try {
      assert.equal(await page.locator('select').count(), 2, 'contract and payment_method are dropdowns');
      assert.deepEqual(await page.locator('select').first().locator('option').allInnerTexts(), ['month-to-month', 'one year', 'two year']);
      await page.getByTestId('example-0').click();
      await page.getByTestId('score-row').first().waitFor();
      assert.match(await page.getByTestId('answer').first().innerText(), /^churns/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-churn-export-helper.png'), fullPage: true });
    } finally {
      await close();
      await p.stop();
    }
  });

  it('a scikit-learn model without skl2onnx installed: a message that says what to install, and nothing written', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-notebook-'));
    const r = python(`${CHURN_FRAME}
from sklearn.linear_model import LogisticRegression
from model_preview_export import export_for_preview
export_for_preview(LogisticRegression().fit(X_train[["tenure_months"]], y.iloc[:640]), "model.onnx", X_train[["tenure_months"]])
`, dir);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /RuntimeError: Exporting a scikit-learn model needs skl2onnx, which this Python \(\/usr\/bin\/python3\) does not have\. Install it \(pip install skl2onnx\) and run this cell again; nothing was written\./);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('with skl2onnx (a stub: skl2onnx cannot be installed here): one input per DataFrame column, typed by its dtype', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-notebook-'));
    const stub = path.join(dir, 'stub', 'skl2onnx');
    mkdirSync(path.join(stub, 'common'), { recursive: true });
    writeFileSync(path.join(stub, '__init__.py'), `
import json
class _Model:
    def SerializeToString(self):
        return open(${JSON.stringify(path.join(FIXTURE_DIR, 'sklearn-dataframe.onnx'))}, "rb").read()
def convert_sklearn(model, initial_types=None, target_opset=None):
    json.dump({"model": type(model).__name__, "opset": target_opset,
               "inputs": [[name, type(t).__name__, t.shape] for name, t in initial_types]}, open("convert-call.json", "w"))
    return _Model()
`);
    writeFileSync(path.join(stub, 'common', '__init__.py'), '');
    writeFileSync(path.join(stub, 'common', 'data_types.py'), `
class _Type:
    def __init__(self, shape):
        self.shape = shape
class FloatTensorType(_Type): pass
class Int64TensorType(_Type): pass
class StringTensorType(_Type): pass
`);
    const r = python(`${CHURN_FRAME}
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
pipe = Pipeline([("columns", ColumnTransformer([("num", StandardScaler(), ["tenure_months", "monthly_charges"]),
                 ("contract", OneHotEncoder(), ["contract"]), ("payment", OrdinalEncoder(), ["payment_method"])])),
                 ("classifier", LogisticRegression(max_iter=1000))]).fit(X_train, y.iloc[:640])
from model_preview_export import export_for_preview
print(export_for_preview(pipe, "churn.onnx", X_train, held_out=X_test, n_examples=3))
`, dir, { PYTHONPATH: `${path.join(dir, 'stub')}${path.delimiter}${path.dirname(HELPER)}` });
    assert.equal(r.status, 0, r.stderr);
    const call = JSON.parse(readFileSync(path.join(dir, 'convert-call.json'), 'utf8'));
    assert.deepEqual(call, {
      model: 'Pipeline', opset: 17,
      inputs: [['tenure_months', 'FloatTensorType', [null, 1]], ['monthly_charges', 'FloatTensorType', [null, 1]],
        ['contract', 'StringTensorType', [null, 1]], ['payment_method', 'StringTensorType', [null, 1]]],
    });
    const sidecar = SidecarSchema.parse(JSON.parse(readFileSync(path.join(dir, 'churn.preview.json'), 'utf8')));
    assert.deepEqual(sidecar.outputs?.output_probability.classNames, ['churns', 'stays'], 'the class names are the pipeline’s classes_');
    assert.equal(sidecar.examples?.length, 3);
    assert.ok(existsSync(path.join(dir, 'churn.onnx')));
    const p = await startPreview(path.join(dir, 'churn.onnx'));
    try {
      const res = await p.post('/api/predict', { inputs: sidecar.examples![0].inputs });
      assert.equal(res.status, 200, res.text);
    } finally {
      await p.stop();
    }
  });
});
