import * as path from 'node:path';
import type { StoredTensor } from '../../shared/feedback-record';
import { BlobStore, type PreparedBlob } from '../store/blob-store';
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

  /**
   * Stores a record's line (made by the worker: stored-prediction.ts) once the blobs it refers to are on disk;
   * resolves once it is. The line is small: large tensors are in the blobs, whose bytes are written as given.
   */
  async append(line: string, blobs: readonly PreparedBlob[] = []): Promise<PredictionRecord> {
    for (const blob of blobs) await this.blobs.put(blob.bytes, blob.ref);
    const record = JSON.parse(line) as PredictionRecord;
    await this.log.append(line);
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
