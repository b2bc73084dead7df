import * as path from 'node:path';
import type { Command } from 'commander';
import { EventsClient } from '../../client/events-client';
import { OwnerApi } from '../../client/owner-api';
import type { FeedbackRecord } from '../../shared/feedback-record';
import { feedbackCsv } from '../../shared/feedback-csv';
import { readJsonl } from '../../core/store/jsonl-reader';
import { feedbackLine } from '../feedback-text';
import { requirePreviewFolder } from '../data-dir';
import { tokensFile } from '../../core/server/token-store';
import { FeedbackFollower } from '../feedback-follower';

interface FeedbackFlags {
  dataDir: string;
  follow?: boolean;
  csv?: boolean;
}

export function registerFeedback(program: Command): void {
  program
    .command('feedback')
    .description('show the feedback people sent, newest last (reads <data-dir>/feedback.jsonl)')
    .option('--data-dir <dir>', 'the folder `serve` wrote to', '.model-preview')
    .option('--follow', 'keep running and print new feedback as it arrives (live from the running preview, else from the file)')
    .option('--csv', 'print CSV (UTF-8 with BOM, formula-guarded) instead of a table')
    .action(async (flags: FeedbackFlags) => {
      const file = path.join(flags.dataDir, 'feedback.jsonl');
      // A mistyped folder would read as "no feedback yet"; --follow may start before serve made the folder.
      if (!flags.follow) await requirePreviewFolder(flags.dataDir, [path.basename(file), path.basename(tokensFile(flags.dataDir))], '');
      const say = (m: string) => process.stderr.write(m + '\n');
      if (flags.csv) {
        process.stdout.write(feedbackCsv(await readJsonl<FeedbackRecord>(file, say)));
        return;
      }
      const follower = new FeedbackFollower({
        dataDir: flags.dataDir, print: (r) => process.stdout.write(feedbackLine(r) + '\n'), say,
        // A running preview is followed as the extension follows it: its events socket, its owner API.
        connect: (baseUrl, ownerToken) => ({
          events: new EventsClient({ baseUrl, ownerToken, log: () => undefined }),
          owner: new OwnerApi({ baseUrl, ownerToken }),
        }),
      });
      const printed = await follower.printFile();
      if (flags.follow) follower.start();
      else if (printed === 0) say(`no feedback yet in ${file}`);
    });
}
