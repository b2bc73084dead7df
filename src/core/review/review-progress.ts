import * as path from 'node:path';
import { ReviewProgressLineSchema, type ReviewProgressLine } from '../../shared/review-set';
import { JsonlAppendLog } from '../store/jsonl-append-log';
import { readJsonl } from '../store/jsonl-reader';
import { setAsideTornTail } from '../store/torn-tail';

const FILE = 'review-progress.jsonl';

/** Who keeps a place in a set: an invited reviewer (verified by their link) or a name typed on the page. */
export interface ProgressReviewer {
  name: string;
  verified: boolean;
}

// A verified and a typed "Dana" are two places: someone typing an invited reviewer's name must not move their place.
const keyOf = (set: string, { name, verified }: ProgressReviewer): string => JSON.stringify([set, verified, name]);

/**
 * Where each reviewer is in each review set, so a review resumes at the same case on another browser or phone.
 * `review-progress.jsonl` in the data folder: one line per move, appended and fsync'd before the page hears "kept";
 * the latest line for a set and reviewer wins. A torn last line (a kill mid-write) is set aside at open and a line
 * that is not a place is skipped with a warning, so earlier places are never lost.
 */
export class ReviewProgressBook {
  private readonly places = new Map<string, number>();
  private readonly log: JsonlAppendLog;

  private constructor(file: string) {
    this.log = new JsonlAppendLog(file, { fsync: true });
  }

  static async open(dataDir: string, warn: (message: string) => void): Promise<ReviewProgressBook> {
    const file = path.join(dataDir, FILE);
    const book = new ReviewProgressBook(file);
    await setAsideTornTail(file, warn);
    const check = { what: 'a review position', safeParse: (value: unknown) => ReviewProgressLineSchema.safeParse(value) };
    for (const line of await readJsonl<ReviewProgressLine>(file, warn, check)) {
      book.places.set(keyOf(line.reviewSet, { name: line.reviewer, verified: line.verified }), line.position);
    }
    return book;
  }

  /** The reviewer's place in the set, or undefined before they kept one. */
  get(set: string, reviewer: ProgressReviewer): number | undefined {
    return this.places.get(keyOf(set, reviewer));
  }

  /** Keeps the reviewer's place (on disk before it resolves); the place in memory changes only once it is stored. */
  async set(set: string, reviewer: ProgressReviewer, position: number): Promise<void> {
    const line: ReviewProgressLine = { ts: new Date().toISOString(), reviewSet: set, reviewer: reviewer.name, verified: reviewer.verified, position };
    await this.log.append(line);
    this.places.set(keyOf(set, reviewer), position);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
