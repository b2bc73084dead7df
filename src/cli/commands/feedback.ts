import { open, stat } from 'node:fs/promises';
import { watch } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { FeedbackRecord } from '../../shared/feedback';
import { feedbackCsv } from '../../core/feedback/feedback-csv';
import { readJsonl } from '../../core/store/jsonl-reader';
import { feedbackLine } from '../feedback-text';
import { requirePreviewFolder } from '../data-dir';
import { tokensFile } from '../../core/server/token-store';

interface FeedbackFlags {
  dataDir: string;
  follow?: boolean;
  csv?: boolean;
}

/** Prints records appended to the file after `offset`, whole lines only; returns the new offset. */
async function printNewLines(file: string, offset: number, print: (r: FeedbackRecord) => void): Promise<number> {
  const { size } = await stat(file).catch(() => ({ size: offset }));
  if (size <= offset) return size < offset ? 0 : offset; // truncated or replaced: start again
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    const text = buffer.toString('utf8');
    const complete = text.lastIndexOf('\n') + 1; // a line still being written is read next time
    for (const line of text.slice(0, complete).split('\n')) {
      if (line.trim() === '') continue;
      try {
        print(JSON.parse(line) as FeedbackRecord);
      } catch {
        process.stderr.write(`${file}: skipped a line that is not valid JSON\n`);
      }
    }
    return offset + Buffer.byteLength(text.slice(0, complete));
  } finally {
    await handle.close();
  }
}

export function registerFeedback(program: Command): void {
  program
    .command('feedback')
    .description('show the feedback people sent, newest last (reads <data-dir>/feedback.jsonl)')
    .option('--data-dir <dir>', 'the folder `serve` wrote to', '.model-preview')
    .option('--follow', 'keep running and print new feedback as it arrives')
    .option('--csv', 'print CSV (UTF-8 with BOM, formula-guarded) instead of a table')
    .action(async (flags: FeedbackFlags) => {
      const file = path.join(flags.dataDir, 'feedback.jsonl');
      // A mistyped folder would read as "no feedback yet"; --follow may start before serve made the folder.
      if (!flags.follow) await requirePreviewFolder(flags.dataDir, [path.basename(file), path.basename(tokensFile(flags.dataDir))], '');
      const warn = (m: string) => process.stderr.write(m + '\n');
      if (flags.csv) {
        process.stdout.write(feedbackCsv(await readJsonl<FeedbackRecord>(file, warn)));
        return;
      }
      const print = (r: FeedbackRecord) => process.stdout.write(feedbackLine(r) + '\n');
      let offset = await printNewLines(file, 0, print);
      if (!flags.follow) {
        if (offset === 0) process.stderr.write(`no feedback yet in ${file}\n`);
        return;
      }
      process.stderr.write(`following ${file} (Ctrl+C to stop)\n`);
      let reading = Promise.resolve();
      const onChange = () => {
        reading = reading.then(async () => {
          offset = await printNewLines(file, offset, print);
        }).catch((err: Error) => void warn(`${file}: ${err.message}; still following`));
      };
      // Watch the folder: the file may not exist yet when following starts. The folder may not exist either (started
      // before `serve`): then polling alone finds the records once it appears.
      try {
        watch(flags.dataDir, (_event, name) => name?.toString() === 'feedback.jsonl' && onChange());
      } catch {
        process.stderr.write(`${flags.dataDir} does not exist yet; waiting for it\n`);
      }
      setInterval(onChange, 2_000); // also a safety net for file systems whose change events are unreliable
    });
}
