import type { LogEntry, PreviewEvent } from '../shared/events';
import { formatBytes, terminalSafe } from '../shared/visible-text';
import { feedbackLine } from './feedback-text';

/** A line `serve` prints without --json: to stdout, or to stderr for what went wrong. */
export interface TextLine {
  line: string;
  stderr?: boolean;
}

/**
 * How `serve` tells the owner about an event in its text output (nothing for a prediction: there are too many).
 * `dataDir`: the preview's --data-dir, for commands the owner may need to run on it.
 */
export function eventText(e: PreviewEvent, dataDir: string): TextLine | undefined {
  switch (e.event) {
    case 'model-reloaded':
      return {
        line: `reloaded: ${e.model} is now version ${e.modelVersion} (was ${e.previousVersion}, loaded in ${e.loadMs} ms`
          + `${e.unavailableMs === undefined ? '' : `; not served for ${e.unavailableMs} ms`})`,
      };
    case 'reload-without-overlap':
      return {
        line: `reloading without overlap: the new version and the old do not fit in the ${formatBytes(e.availableBytes)} free (needs ~${formatBytes(e.neededBytes)}); `
          + `${e.previousVersion} is unloaded first, and requests get 503 (try again) until the new version loads`,
        stderr: true,
      };
    case 'feedback':
      return { line: `feedback: ${feedbackLine(e.record)}` };
    case 'error':
      return { line: `error (${e.source}): ${terminalSafe(e.message)}`, stderr: true };
    case 'sidecar-reloaded':
      return { line: 'sidecar reloaded: the page shows it from its next load' };
    case 'tunnel-up':
      return { line: `tunnel up: ${e.shareUrl}` };
    case 'tunnel-down':
      return {
        line: e.retryInMs === undefined
          ? `tunnel down: ${terminalSafe(e.reason)}; the link works only on this machine now`
          : `tunnel down (${terminalSafe(e.reason)}): reconnecting in ${(e.retryInMs / 1000).toFixed(1)} s, attempt ${e.attempt}`,
      };
    case 'tunnel-unreachable':
      return { line: `tunnel up but not reachable from outside (${e.failedChecks} checks failed: ${terminalSafe(e.reason)}); visitors may get an error page`, stderr: true };
    case 'tunnel-url-changed':
      return { line: `LINK CHANGED: the ${e.provider} tunnel's public URL is not ${e.previousUrl} any more; links given out before are dead. New share link: ${e.shareUrl}`, stderr: true };
    case 'share-link-changed':
      switch (e.reason) {
        case 'expired':
          return { line: `the share link had expired while no preview ran; new share link: ${e.shareUrl}` };
        case 'port-changed':
          return {
            line: `LINK CHANGED: port ${e.previousPort ?? '?'} (this data folder's remembered port) is taken by another program, so this preview serves on port ${e.port ?? '?'}; `
              + `the local link given out before does not reach it. New share link: ${e.shareUrl} (free port ${e.previousPort ?? '?'} and restart to get the old link back)`,
            stderr: true,
          };
        default:
          return { line: `new share link (rotated): ${e.shareUrl}` };
      }
    case 'storage':
      return { line: `storage: ${terminalSafe(e.message)}`, stderr: e.state === 'failing' };
    case 'password-lockout':
      return {
        line: `password guessing: ${e.failedAttempts} wrong passwords within ${e.windowSeconds / 60} min; no password is accepted until ${e.until} `
          + `(people who already unlocked keep access). If the link leaked, replace it: model-preview rotate-link --data-dir ${dataDir}`,
      };
    case 'regression-replayed':
      return {
        line: `regressions: version ${e.modelVersion} gives the corrected answer for ${e.fixed} of ${e.total} thumbs-down with a correction`
          + `${e.broke > 0 ? `; ${e.broke} that ${e.previousVersion} answered right are wrong now` : ''} (replayed in ${Math.round(e.durationMs)} ms)`,
      };
    case 'prediction':
      return undefined;
  }
}

/** A log line in the text output (stderr). */
export function logText(entry: LogEntry): TextLine {
  return { line: `${entry.level} (${entry.source}): ${terminalSafe(entry.message)}`, stderr: true };
}
