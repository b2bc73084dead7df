/**
 * A model's text input as both sides see it: model/ makes one from the tokenizer beside the model, inference/ uses it
 * to turn the `"text"` of a /api/predict request into the model's token inputs.
 */

/** One text as the model takes it: token ids, their text, token types, and how many tokens were cut to fit. */
export interface EncodedText {
  ids: number[];
  tokens: string[];
  typeIds: number[];
  /** Content tokens dropped to fit the model's length (0 when the text fitted). */
  cut: number;
}

export interface TextEncoding {
  encode(text: string): EncodedText;
  /** The model's token inputs for one encoded text, as /api/predict data (a batch of one). */
  feeds(encoded: EncodedText): Record<string, unknown>;
}
