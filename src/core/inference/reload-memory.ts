import { modelSize, type ModelFile } from '../onnx/model-files';

/**
 * What creating an onnxruntime session of a model takes on top of what the process holds, by estimate: about twice the
 * model's bytes on disk (its external data included) while onnxruntime holds its parse of the file and the new
 * tensors at once, then about one copy once created. Measured (bench model-memory, generated 1024×N FP32 MatMuls, one
 * worker): a hot reload added 199 MB over idle for a 102 MB model and 777-785 MB for a 391 MB one (1.95-2.0×), and a
 * bare process creating a second session of the 102 MB one +199 MB. The margin covers the rest: the version hash's
 * buffer, the skeleton, a JavaScript heap that grows meanwhile, and the estimate being a little short.
 */
const CREATION_FACTOR = 2;
const CREATION_MARGIN_BYTES = 64 * 1024 * 1024;

/** Whether a new version can be created beside the one served, and the figures that decided it. */
export interface ReloadFit {
  fits: boolean;
  /** Whether it can be created once the version served is unloaded (what its sessions hold, by estimate, freed). */
  fitsAlone: boolean;
  /** Memory this process may still take (availableMemory: within a container's limit). */
  availableBytes: number;
  /** What creating the new version's session needs by estimate. */
  neededBytes: number;
  /** What unloading the version served frees, by estimate: about its files' size per worker that holds it. */
  heldBytes: number;
}

export function creationNeeds(model: Pick<ModelFile, 'identity' | 'externalData'>): number {
  return Math.ceil(modelSize(model) * CREATION_FACTOR) + CREATION_MARGIN_BYTES;
}

/**
 * A hot reload creates the new version in one worker while every worker still holds the old one (so that the old one
 * serves meanwhile). When that creation does not fit in what is available, the process would be killed for memory
 * (a container's limit: silently), so the pool unloads the old version first instead; and when it would not fit even
 * then, it is not tried at all. `heldBytes`: the old version's files' size times the workers holding it (a session
 * holds about its model's size: bench model-memory, 469 MB resident for one of a 391 MB model, ~80 MB of it the process).
 */
export function reloadFit(model: Pick<ModelFile, 'identity' | 'externalData'>, availableBytes: number, heldBytes: number): ReloadFit {
  const neededBytes = creationNeeds(model);
  return { fits: neededBytes <= availableBytes, fitsAlone: neededBytes <= availableBytes + heldBytes, availableBytes, neededBytes, heldBytes };
}
