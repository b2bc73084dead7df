import type { InferenceSession } from 'onnxruntime-node';
import type { NonTensorOutput, TensorSpec } from '../../shared/v2';
import { v2FromOrt } from '../onnx/datatypes';

export interface Signature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  nonTensorOutputs: NonTensorOutput[];
}

type ValueMetadata = InferenceSession['inputMetadata'][number];

function toSpec(meta: ValueMetadata, role: 'input' | 'output'): TensorSpec | NonTensorOutput {
  if (!meta.isTensor) {
    return { name: meta.name, note: `${role} '${meta.name}' is not a tensor (e.g. an sklearn ZipMap); it is not served` };
  }
  const datatype = v2FromOrt(meta.type);
  if (!datatype) {
    if (role === 'output') return { name: meta.name, note: `output '${meta.name}' has type ${meta.type}, which has no V2 datatype; it is not served` };
    throw new Error(`input '${meta.name}' has type ${meta.type}, which cannot be sent as JSON`);
  }
  // A dim with no name and no size (-1 or '') still needs a name people can read.
  const shape = meta.shape.map((d, i) => ((typeof d === 'number' && d < 0) || d === '' ? `dim${i}` : d));
  return { name: meta.name, datatype, shape };
}

/** The model's tensor signature from onnxruntime (the authority on what it accepts), symbolic dims kept as names. */
export function signatureFromSession(session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>): Signature {
  const inputs: TensorSpec[] = [];
  for (const meta of session.inputMetadata) {
    const spec = toSpec(meta, 'input');
    if (!('datatype' in spec)) throw new Error(spec.note);
    inputs.push(spec);
  }
  const outputs: TensorSpec[] = [];
  const nonTensorOutputs: NonTensorOutput[] = [];
  for (const meta of session.outputMetadata) {
    const spec = toSpec(meta, 'output');
    if ('datatype' in spec) outputs.push(spec);
    else nonTensorOutputs.push(spec);
  }
  return { inputs, outputs, nonTensorOutputs };
}
