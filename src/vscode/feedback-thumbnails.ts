import { feedbackThumbnail, pictureInput } from '../client/feedback-thumbnail';
import type { RecordRef } from '../shared/webview-messages';
import type { PreviewManager } from './previews/preview-manager';

/** Thumbnails kept (a few kB each); a picture tried ten times is one entry. */
const KEPT = 200;

/**
 * The thumbnails of the pictures feedback records were given, for the Feedback view's cards: made from the preview's
 * record or its blob on first ask, then kept (the newest `KEPT`); records of the same stored picture share one.
 */
export class FeedbackThumbnails {
  private readonly made = new Map<string, Promise<string>>();

  constructor(private readonly previews: PreviewManager) {}

  /** Undefined when the record is not held or was given no picture; rejects when its picture cannot be read. */
  of(ref: RecordRef): Promise<string | undefined> {
    const found = this.previews.recordIn(ref.previewId, ref.id);
    const picture = found && pictureInput(found.record);
    if (!found || !picture) return Promise.resolve(undefined);
    const key = 'blob' in picture ? `${found.dataDir}\0${picture.blob}` : `record\0${ref.id}`;
    let thumbnail = this.made.get(key);
    if (!thumbnail) {
      thumbnail = feedbackThumbnail(found.dataDir, picture);
      thumbnail.catch(() => this.made.delete(key)); // a blob not there yet (or a slow disk) may be read next time
      this.made.set(key, thumbnail);
      if (this.made.size > KEPT) this.made.delete(this.made.keys().next().value as string);
    }
    return thumbnail;
  }
}
