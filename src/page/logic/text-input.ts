import type { ModelCard } from '../../shared/model-card';
import { reviewCaseBody } from '../../shared/review-set-rules';
import type { TextPlan } from './input-plan';

/**
 * A model that takes text through its tokenizer (a Hugging Face folder): the page shows one text box in place of the
 * token inputs, and sends `{"text": ...}`; the server tokenizes. The text travels among the page's inputs under this
 * key (no ONNX input is named so), and `predictBody` moves it to the body's `"text"`.
 */
export const TEXT_KEY = '$text';

/** The inputs the text fills (token ids, attention mask, token types): the page shows no field for them. */
export function tokenInputNames(card: Pick<ModelCard, 'text'>): Set<string> {
  const inputs = card.text?.inputs;
  return new Set(inputs ? [inputs.ids, inputs.attentionMask, inputs.tokenTypeIds].filter((n): n is string => n !== undefined) : []);
}

export function textPlanFor(card: Pick<ModelCard, 'text'>): TextPlan | undefined {
  if (!card.text) return undefined;
  return {
    kind: 'text', name: TEXT_KEY, datatype: 'BYTES', label: 'Text', batch: 1, tensorShape: [],
    description: `Type or paste a text. The model reads at most ${card.text.maxLength} tokens (word pieces); a longer text is cut.`,
  };
}

/** The /api/predict body for the page's inputs. */
export function predictBody(inputs: Record<string, unknown>): { inputs?: Record<string, unknown>; text?: string } {
  if (!(TEXT_KEY in inputs)) return { inputs };
  const { [TEXT_KEY]: text, ...rest } = inputs;
  return { text: String(text), ...(Object.keys(rest).length > 0 ? { inputs: rest } : {}) };
}

/** A review case's inputs as the page holds them: a text model's `"text"` goes where the text box puts it. */
export function reviewCaseInputs(card: Pick<ModelCard, 'text' | 'inputs'>, inputs: Record<string, unknown>): Record<string, unknown> {
  const body = reviewCaseBody(card, inputs);
  return body.text === undefined ? inputs : { [TEXT_KEY]: body.text, ...body.inputs };
}
