import * as path from 'node:path';
import type { ModelCard } from '../../shared/model-card';

/**
 * The model card as a share-link holder sees it: the model file by its name only. Its absolute path (the owner's user
 * name, their folders) is for the owner token; so is the sidecar's, which a sidecar error names.
 */
export function shareVisibleCard(card: ModelCard): ModelCard {
  const folder = path.dirname(card.file) + path.sep;
  return {
    ...card,
    file: path.basename(card.file),
    ...(card.sidecarError === undefined ? {} : { sidecarError: card.sidecarError.split(folder).join('') }),
  };
}

/** The card a request may see: whole for the owner, else as a share-link holder sees it (`GET /api/card`, the page's HTML). */
export function cardFor(card: ModelCard, isOwner: boolean): ModelCard {
  return isOwner ? card : shareVisibleCard(card);
}
