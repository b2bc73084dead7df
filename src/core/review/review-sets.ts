import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { caseKey, reviewSetNameProblem, type ReviewCase, type ReviewCasePage, type ReviewSetList } from '../../shared/review-set';
import { parseJsonLines } from '../../shared/json-lines';
import type { FoundCase } from '../feedback/feedback-service';
import { checkCaseInputs, ReviewFileError, type ReviewSignature } from './review-file';
import { ReviewProgressBook } from './review-progress';

const DIR = 'review-sets';
const EXT = '.jsonl';

interface LoadedSet {
  name: string;
  addedAt: string;
  cases: ReviewCase[];
}

/**
 * The review sets of a data folder: `review-sets/<name>.jsonl`, one checked case per line (see review-file.ts), each
 * written whole to a temporary file and renamed, so a set is there completely or not at all. The server holds them in
 * memory: a case is found by `<set>/<id>` for the feedback that names it, and served a page at a time.
 */
export class ReviewSets {
  private readonly sets = new Map<string, LoadedSet>();
  private readonly byKey = new Map<string, FoundCase>();
  /** Sets the served model cannot answer (added with no preview running, or a re-export changed its inputs): why not. */
  private readonly unfit = new Map<string, string>();

  /** Each reviewer's place in each set (review-progress.ts). */
  readonly progress: ReviewProgressBook;

  private constructor(private readonly dataDir: string, progress: ReviewProgressBook) {
    this.progress = progress;
  }

  static async open(dataDir: string, warn: (message: string) => void = () => undefined): Promise<ReviewSets> {
    const sets = new ReviewSets(dataDir, await ReviewProgressBook.open(dataDir, warn));
    const dir = path.join(dataDir, DIR);
    const files = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    for (const file of files.filter((f) => f.endsWith(EXT)).sort()) {
      const full = path.join(dir, file);
      const [text, info] = await Promise.all([readFile(full, 'utf8'), stat(full)]);
      const cases = parseJsonLines<ReviewCase>(text, { source: full, warn });
      sets.adopt({ name: file.slice(0, -EXT.length), addedAt: info.mtime.toISOString(), cases });
    }
    return sets;
  }

  list(): ReviewSetList {
    return {
      sets: [...this.sets.values()].map((s) => {
        const problem = this.unfit.get(s.name);
        return { name: s.name, cases: s.cases.length, addedAt: s.addedAt, ...(problem ? { problem } : {}) };
      }),
    };
  }

  /**
   * Checks every set against the model served now (at start and after each reload), as `add` checks a file: a set
   * `review add` stored while no preview ran, or one a re-export no longer fits, is marked with its first problem
   * (the page does not offer it). Returns the sets that became unfit, for the owner's log.
   */
  check(signature: ReviewSignature): Array<{ name: string; problem: string }> {
    const newly: Array<{ name: string; problem: string }> = [];
    for (const set of this.sets.values()) {
      let problem: string | undefined;
      try {
        for (const c of set.cases) checkCaseInputs(c.inputs, signature, `case ${JSON.stringify(c.id)}`);
      } catch (err) {
        if (!(err instanceof ReviewFileError)) throw err;
        problem = err.message;
      }
      if (problem && this.unfit.get(set.name) !== problem) newly.push({ name: set.name, problem });
      if (problem) this.unfit.set(set.name, problem);
      else this.unfit.delete(set.name);
    }
    return newly;
  }

  has(name: string): boolean {
    return this.sets.has(name);
  }

  /** Stores a checked set; a name in use is refused (remove it first), so a set's cases never change under reviewers. */
  async add(name: string, cases: ReviewCase[]): Promise<void> {
    const problem = reviewSetNameProblem(name);
    if (problem) throw new ReviewFileError(problem);
    if (this.sets.has(name)) throw new ReviewFileError(`a review set named ${JSON.stringify(name)} exists already; remove it first, or choose another name`);
    const dir = path.join(this.dataDir, DIR);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, name + EXT);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, cases.map((c) => JSON.stringify(c) + '\n').join(''));
    await rename(temporary, file);
    this.adopt({ name, addedAt: new Date().toISOString(), cases });
  }

  async remove(name: string): Promise<void> {
    const set = this.sets.get(name);
    if (!set) throw new ReviewFileError(`no review set named ${JSON.stringify(name)}${this.names()}`);
    await rm(path.join(this.dataDir, DIR, name + EXT), { force: true });
    this.sets.delete(name);
    this.unfit.delete(name);
    for (const c of set.cases) this.byKey.delete(caseKey(name, c.id));
  }

  /** Cases `offset` to `offset + limit` of a set, without `expected` (the reviewer judges without the answer key). */
  page(name: string, offset: number, limit: number): ReviewCasePage | undefined {
    const set = this.sets.get(name);
    if (!set) return undefined;
    const cases = set.cases.slice(offset, offset + limit).map(({ id, inputs, tags }) => ({ id, inputs, ...(tags ? { tags } : {}) }));
    return { name, total: set.cases.length, offset, cases };
  }

  /** How many cases the set holds, or undefined when there is no such set. */
  size(name: string): number | undefined {
    return this.sets.get(name)?.cases.length;
  }

  close(): Promise<void> {
    return this.progress.close();
  }

  /** The case feedback names (`<set>/<id>`): what the record keeps of it, and its inputs. */
  find(key: string): FoundCase | undefined {
    return this.byKey.get(key);
  }

  private adopt(set: LoadedSet): void {
    this.sets.set(set.name, set);
    for (const c of set.cases) {
      this.byKey.set(caseKey(set.name, c.id), { reviewed: { caseId: c.id, reviewSet: set.name, ...(c.tags ? { tags: c.tags } : {}) }, inputs: c.inputs });
    }
  }

  private names(): string {
    const names = [...this.sets.keys()].map((n) => JSON.stringify(n));
    return names.length === 0 ? ' (there are none)' : ` (the review sets are ${names.join(', ')})`;
  }
}
