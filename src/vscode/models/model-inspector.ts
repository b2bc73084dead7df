import { execFile, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { ModelDescription } from '../../shared/model-card';
import { parseModelDescription } from '../../client/server-messages';
import { cliReason } from './page-settings';

/**
 * Describes model files by running the bundled CLI's `inspect --json` in a child process: onnxruntime is never loaded
 * into the extension host, and a huge or hostile file cannot stall it. Results are cached by file size and mtime; at
 * most two inspections run at once.
 */
export class ModelInspector {
  private readonly cache = new Map<string, { key: string; result: Promise<ModelDescription> }>();
  private running = 0;
  private readonly children = new Set<ChildProcess>();
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly cliPath: string, private readonly timeoutMs = 30_000) {}

  async describe(file: string): Promise<ModelDescription> {
    const info = await stat(file);
    const key = `${info.size}:${info.mtimeMs}`;
    const cached = this.cache.get(file);
    if (cached?.key === key) return cached.result;
    const result = this.limited(() => this.inspect(file));
    this.cache.set(file, { key, result });
    result.catch(() => this.cache.get(file)?.result === result && this.cache.delete(file)); // a failure is retried next time
    return result;
  }

  forget(file: string): void {
    this.cache.delete(file);
  }

  /** Kills inspections still running (each is bounded by its timeout anyway). */
  dispose(): void {
    for (const child of this.children) child.kill();
  }

  private inspect(file: string): Promise<ModelDescription> {
    return new Promise((resolve, reject) => {
      // After `--` a file name starting with "-" is never read as a flag.
      const child = execFile(process.execPath, [this.cliPath, 'inspect', '--json', '--', file], {
        timeout: this.timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      }, (err, stdout, stderr) => {
        if (err) {
          // The CLI's one-line reason ("model-preview: x.onnx: not an ONNX model ...") is the message worth showing.
          return reject(new Error(cliReason(stderr, err.message)));
        }
        const description = parseModelDescription(stdout);
        if (description) resolve(description);
        else reject(new Error(`model-preview inspect printed something that is not a model description for ${file}`));
      });
      this.children.add(child);
      child.once('exit', () => this.children.delete(child));
    });
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    while (this.running >= 2) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
