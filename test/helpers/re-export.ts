import * as assert from 'node:assert/strict';

/**
 * The same model re-exported with different bytes: ONNX's ModelProto with one more `metadata_props` entry (field 14,
 * a StringStringEntryProto) appended. Protobuf merges repeated fields, so this is a valid model with the same graph,
 * and a new version to the server.
 */
export function withMetadataProp(model: Buffer, key: string, value: string): Buffer {
  const str = (field: number, s: string) => {
    const bytes = Buffer.from(s, 'utf8');
    assert.ok(bytes.length < 128);
    return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
  };
  const entry = Buffer.concat([str(1, key), str(2, value)]);
  assert.ok(entry.length < 128);
  return Buffer.concat([model, Buffer.from([(14 << 3) | 2, entry.length]), entry]);
}
