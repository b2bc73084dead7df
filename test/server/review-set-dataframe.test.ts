import assert from 'node:assert/strict';
import { predict } from '../helpers/feedback-kit';
import { fixtureModel, startPreview, type Preview } from '../helpers/preview';

/**
 * A review set for a model exported from a pandas data frame by skl2onnx: one input per column, each shaped
 * [dim0, 1], string and number columns, a ZipMap output. Its natural review file is a CSV with one column per input,
 * whose cells are lone values: each is one example's value, not a tensor of rank 0.
 */
describe('server: a review set of CSV rows for a data-frame model (skl2onnx, inputs [dim0, 1])', function () {
  this.timeout(30_000);
  let preview: Preview;
  const CSV = 'id,tenure_months,monthly_charges,contract,payment_method,expected,tags\r\n'
    + 'new-pricey,2,99.5,month-to-month,electronic check,churns,new;pricey\r\n'
    + 'loyal,60,20.1,two year,credit card,stays,loyal\r\n';

  before(async () => {
    preview = await startPreview(fixtureModel('sklearn-dataframe'), { watch: false });
  });
  after(() => preview?.stop());

  it('is added, and each case\'s inputs get the model\'s answer through /api/predict as the page sends them', async () => {
    const added = await preview.post('/api/review-sets', { name: 'churn', format: 'csv', text: CSV }, preview.ownerToken);
    assert.equal(added.status, 201, added.text);
    const page = await preview.get('/api/review-sets/churn/cases?offset=0&limit=2');
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(page.json.cases[0].inputs, { tenure_months: 2, monthly_charges: 99.5, contract: 'month-to-month', payment_method: 'electronic check' });
    const labels: string[] = [];
    for (const c of page.json.cases) {
      const answer = await predict(preview, c.inputs);
      assert.deepEqual(answer.outputs.output_label.shape, [1]);
      assert.deepEqual(answer.outputs.output_probability.shape, [1, 2]);
      labels.push(answer.outputs.output_label.data[0]);
    }
    assert.deepEqual(labels, ['churns', 'stays'], 'a short, pricey month-to-month contract churns; a long cheap one stays');
  });

  it('a lone value for a [dim0, 1] input in /api/predict is one example; a pair is two', async () => {
    const one = await predict(preview, { tenure_months: 60, monthly_charges: 20.1, contract: 'two year', payment_method: 'credit card' });
    assert.deepEqual(one.outputs.output_probability.shape, [1, 2]);
    const two = await predict(preview, { tenure_months: [2, 60], monthly_charges: [99.5, 20.1], contract: ['month-to-month', 'two year'], payment_method: ['electronic check', 'credit card'] });
    assert.deepEqual(two.outputs.output_label.data, ['churns', 'stays']);
  });
});
