import * as path from 'node:path';
import type { StoredTensor } from '../../shared/feedback-record';
import { BlobStore } from '../store/blob-store';
import { JsonlAppendLog } from '../store/jsonl-append-log';
import { readJsonl } from '../store/jsonl-reader';
import { setAsideTornTail } from '../store/torn-tail';

/** One line of predictions.jsonl. */
export interface PredictionRecord {
  predictionId: string;
  ts: string;
  model: string;
  modelVersion: string;
  inputs: Record<string, StoredTensor>;
  outputs: Record<string, StoredTensor>;
  timing: { inferenceMs: number; totalMs: number };
}

/** Tensors with more elements than this are stored as blobs, not inline. */
const INLINE_ELEMENTS = 4096;
/** Predictions kept in memory for feedback to refer to; older ones are dropped from the index (not from the file). */
const REMEMBERED = 10_000;

/**
 * `predictions.jsonl`: every prediction `/api/predict` answered, fsync'd before the answer. Feedback must name a
 * prediction this server made; the index is rebuilt from the file at start, so feedback sent after a restart (a page
 * that was open while the server restarted) still finds its prediction.
 */
export class PredictionLog {
  private readonly log: JsonlAppendLog;
  private readonly blobs: BlobStore;
  private readonly byId = new Map<string, PredictionRecord>();
  private newestRecord?: Pick<PredictionRecord, 'ts' | 'modelVersion'>;

  private constructor(dataDir: string) {
    this.log = new JsonlAppendLog(path.join(dataDir, 'predictions.jsonl'), { fsync: true });
    this.blobs = new BlobStore(dataDir);
  }

  static async open(dataDir: string, warn: (message: string) => void): Promise<PredictionLog> {
    const log = new PredictionLog(dataDir);
    await setAsideTornTail(log.log.file, warn);
    for (const record of await readJsonl<PredictionRecord>(log.log.file, warn)) log.remember(record);
    return log;
  }

  /** The newest prediction's time and version (read at start, then each one made): which version was served last. */
  get newest(): Pick<PredictionRecord, 'ts' | 'modelVersion'> | undefined {
    return this.newestRecord;
  }

  get(predictionId: string): PredictionRecord | undefined {
    return this.byId.get(predictionId);
  }

  /** Stores a record (as serialised by the worker), moving large tensors to blobs; resolves once it is on disk. */
  async append(serialised: string): Promise<PredictionRecord> {
    const record = JSON.parse(serialised) as PredictionRecord;
    let changed = false;
    for (const group of [record.inputs, record.outputs]) {
      for (const [name, tensor] of Object.entries(group)) {
        if ('data' in tensor && tensor.data.length > INLINE_ELEMENTS) {
          group[name] = { datatype: tensor.datatype, shape: tensor.shape, blob: await this.blobs.put(JSON.stringify(tensor.data)) };
          changed = true;
        }
      }
    }
    await this.log.append(changed ? JSON.stringify(record) : serialised);
    this.remember(record);
    return record;
  }

  close(): Promise<void> {
    return this.log.close();
  }

  private remember(record: PredictionRecord): void {
    if (typeof record?.predictionId !== 'string') return;
    this.byId.set(record.predictionId, record);
    if (!this.newestRecord || record.ts >= this.newestRecord.ts) this.newestRecord = { ts: record.ts, modelVersion: record.modelVersion };
    if (this.byId.size > REMEMBERED) this.byId.delete(this.byId.keys().next().value!);
  }
}
