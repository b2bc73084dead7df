/**
 * A decoded sound as a model takes it: the channels averaged to mono (the browser decodes at the model's rate but
 * keeps the file's channels), then, when the model's feature extractor says `do_normalize`, zero mean and unit
 * variance over the whole recording, as Wav2Vec2FeatureExtractor computes it: (x - mean) / sqrt(var + 1e-7).
 */
export function monoSamples(channels: readonly Float32Array[], normalize: boolean): Float32Array {
  const length = channels[0]?.length ?? 0;
  const mono = new Float32Array(length);
  for (const data of channels) for (let i = 0; i < length; i++) mono[i] += data[i] / channels.length;
  if (!normalize || length === 0) return mono;
  let mean = 0;
  for (const v of mono) mean += v / length;
  let variance = 0;
  for (const v of mono) variance += (v - mean) * (v - mean) / length;
  const scale = 1 / Math.sqrt(variance + 1e-7);
  return mono.map((v) => (v - mean) * scale);
}
