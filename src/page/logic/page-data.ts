import type { ModelCard } from '../../shared/model-card';
import type { PageData } from '../../shared/page-data';

/** Whether a value has what the page reads of a model card. */
export function isModelCard(value: unknown): value is ModelCard {
  const card = value as ModelCard | undefined;
  return typeof card?.version === 'string' && Array.isArray(card.inputs) && Array.isArray(card.outputs);
}

/**
 * The first data the server put in the page's HTML (shared/page-data.ts): the card, the review sets and who the
 * visitor is, read without a request. Undefined when the HTML has none (the model was still loading) or it is not
 * what this script understands: the page then asks the API for each.
 */
export function parsePageData(text: string | null | undefined): PageData | undefined {
  if (!text) return undefined;
  let data: Partial<PageData> | undefined;
  try {
    data = JSON.parse(text) as Partial<PageData>;
  } catch {
    return undefined;
  }
  if (!isModelCard(data?.card) || !Array.isArray(data.reviewSets) || (data.invitedAs !== undefined && typeof data.invitedAs !== 'string')) return undefined;
  return { card: data.card, reviewSets: data.reviewSets, ...(data.invitedAs === undefined ? {} : { invitedAs: data.invitedAs }) };
}
