import type { Tokenizer as TokenizerClass } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import type { TextInputDescription } from '../../shared/model-card';
import type { HfFolder } from './hf-folder';
import type { EncodedText, TextEncoding } from '../onnx/text-encoding';

// The package is an ES module: a dynamic import loads it from this CommonJS code (tsc keeps `import()` as is under
// module node16), and webpack puts it in the bundle (eager: no separate chunk file to ship).
let library: Promise<typeof TokenizerClass> | undefined;
const tokenizerClass = (): Promise<typeof TokenizerClass> =>
  (library ??= import(/* webpackMode: "eager" */ '@huggingface/tokenizers').then((m) => m.Tokenizer));

/** The folder's tokenizer, ready to encode (throws with the library's reason when tokenizer.json cannot be used). */
export async function loadTextTokenizer(folder: HfFolder, text: TextInputDescription): Promise<TextTokenizer> {
  const tokenizer = new (await tokenizerClass())(folder.tokenizer!, folder.tokenizerConfig ?? {});
  return new TextTokenizer(tokenizer, folder, text);
}


/**
 * The tokenizer of a Hugging Face folder (`tokenizer.json` + `tokenizer_config.json`), run by @huggingface/tokenizers
 * (pure JavaScript, no download). That library does not truncate (by design: huggingface/tokenizers.js#7), so this
 * does it the way the Python and Rust tokenizers do: the content tokens are cut first, then the special tokens
 * ([CLS] ... [SEP]) are added, so a cut text still ends with [SEP]. Cutting after the post-processor (what
 * transformers.js does) would drop the [SEP] the model was trained to see.
 */
export class TextTokenizer implements TextEncoding {
  private readonly tokenizer: TokenizerClass;
  private readonly specialCount: number;
  private readonly unkId: number;
  private readonly cutLeft: boolean;

  constructor(tokenizer: TokenizerClass, folder: HfFolder, private readonly text: TextInputDescription) {
    const config = folder.tokenizerConfig ?? {};
    this.tokenizer = tokenizer;
    this.specialCount = this.tokenizer.post_processor ? this.tokenizer.post_processor([], null, true).tokens.length : 0;
    const unk = typeof config.unk_token === 'string' ? config.unk_token : '[UNK]';
    this.unkId = this.tokenizer.token_to_id(unk) ?? 0;
    this.cutLeft = config.truncation_side === 'left';
  }

  encode(text: string): EncodedText {
    let content = this.tokenizer.tokenize(text);
    const budget = Math.max(0, this.text.maxLength - this.specialCount);
    const cut = Math.max(0, content.length - budget);
    if (cut > 0) content = this.cutLeft ? content.slice(cut) : content.slice(0, budget);
    const processed: { tokens: string[]; token_type_ids?: number[] } = this.tokenizer.post_processor
      ? this.tokenizer.post_processor(content, null, true)
      : { tokens: content };
    const tokens = processed.tokens;
    return {
      ids: tokens.map((t) => this.tokenizer.token_to_id(t) ?? this.unkId),
      tokens,
      typeIds: processed.token_type_ids ?? tokens.map(() => 0),
      cut,
    };
  }

  feeds(encoded: EncodedText): Record<string, unknown> {
    const { inputs } = this.text;
    return {
      [inputs.ids]: [encoded.ids],
      ...(inputs.attentionMask ? { [inputs.attentionMask]: [encoded.ids.map(() => 1)] } : {}),
      ...(inputs.tokenTypeIds ? { [inputs.tokenTypeIds]: [encoded.typeIds] } : {}),
    };
  }
}
