import type { ModelCard } from './model-card';
import type { ReviewSetList } from './review-set';

/**
 * What the page's HTML carries for its script, in a `<script type="application/json" id="page-data">` block (data, not
 * run: the page's CSP allows no inline script): the answers of `GET /api/card`, `/api/review-sets` and
 * `/api/reviewer` for this visitor, so the page's first screen (a review link's first case, the try-it form) waits for
 * none of them. Absent while the model loads: the page then asks for each.
 */
export interface PageData {
  card: ModelCard;
  reviewSets: ReviewSetList['sets'];
  /** The reviewer's name when the visitor came through an invite link. */
  invitedAs?: string;
}

/** The id of the HTML element that holds the page's data. */
export const PAGE_DATA_ID = 'page-data';
