import type { ModelDescription } from '../../shared/model-card';
import { formatShape, TensorInputError, type DecodedTensor } from './codec';

/**
 * What onnxruntime says when a model cannot run on an input that passed our own checks is written for the model's
 * author ("Non-zero status code returned while running Cast node. Name:'' Status Message: stod"). The common cases
 * become a sentence naming the input and what to send instead; onnxruntime's text goes along as `details`.
 */

const quoted = (names: string[]): string => names.map((n) => `'${n}'`).join(', ');

/** A text the model converts to a number (a Cast from string) was not one: std::stod/stof/stoi... threw. */
const NOT_A_NUMBER = /Cast node.*Status Message: sto(?:d|f|ld|i|l|ll|ul|ull)\b/s;
/** A layer needs sizes the declared signature leaves open (Reshape, MatMul, Concat, broadcasting...). */
const SHAPE = /cannot be reshaped|dimension mismatch|Incompatible dimensions|Invalid rank|invalid dimensions|broadcast|axis.*out of range|doesn't match|shape mismatch/i;

export function explainOrtFailure(model: ModelDescription, feeds: Record<string, DecodedTensor>, err: unknown): TensorInputError {
  const details = `onnxruntime: ${(err as Error)?.message ?? String(err)}`;
  const textInputs = model.inputs.filter((s) => s.datatype === 'BYTES').map((s) => s.name);
  if (NOT_A_NUMBER.test(details) && textInputs.length > 0) {
    const which = textInputs.length === 1 ? `input '${textInputs[0]}'` : `one of the text inputs ${quoted(textInputs)}`;
    return new TensorInputError(`${which}: the model reads a number from this text, and a value is not a number; send digits such as "1.5" (no words, units or empty texts)`, details);
  }
  if (SHAPE.test(details)) {
    const sent = Object.entries(feeds).map(([name, t]) => {
      const spec = model.inputs.find((s) => s.name === name);
      return `'${name}' ${formatShape(t.dims)}${spec ? ` (declared ${formatShape(spec.shape)})` : ''}`;
    });
    const what = sent.length === 1 ? `input ${sent[0]}` : `inputs ${sent.join(', ')}`;
    return new TensorInputError(`${what}: the model cannot work with this size; a layer inside it needs a size the declared shape leaves open. `
      + 'Send the size the model was trained with (an example input shows it)', details);
  }
  return new TensorInputError('the model could not run on this input (see details for what onnxruntime said)', details);
}
