import type { ReviewSetList } from '../shared/review-set';
import { REVIEW_LIMITS, reviewFileFormat } from '../shared/review-set-rules';
import { el, replaceChildren } from '../browser/dom';

/**
 * The owner's view of the page: the person who holds the owner token may upload a review set here. The token reaches
 * the page only in the address's fragment (`#owner=<token>`, from `model-preview review owner-link`), which browsers
 * never send to a server, put in a Referer or let a redirect drop: the server's logs and a tunnel never see it. The
 * page takes it out of the address bar at once, keeps it for this tab only (sessionStorage), sends it only in an
 * Authorization header, and shows the owner's controls only after the server confirmed it. A share-link visitor has no
 * such token, so never sees them.
 */

const OWNER_KEY = 'model-preview.owner';
const FRAGMENT = /(?:^#|&)owner=([A-Za-z0-9_-]+)/;

/** The owner token this tab was given: from the address's fragment (then removed from it), else from this tab's storage. */
export function takeOwnerToken(): string | undefined {
  const match = FRAGMENT.exec(location.hash);
  try {
    if (match) {
      sessionStorage.setItem(OWNER_KEY, match[1]);
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    return sessionStorage.getItem(OWNER_KEY) ?? undefined;
  } catch {
    return match?.[1]; // no session storage (a locked-down browser): the token lives for this page view only
  }
}

function forgetOwnerToken(): void {
  try {
    sessionStorage.removeItem(OWNER_KEY);
  } catch {
    // nothing kept
  }
}

const asOwner = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}`, Accept: 'application/json' });

/** Whether the server takes the token as the owner's (`GET /api/server` is the owner's alone); a refused token is forgotten. */
export async function confirmOwner(token: string): Promise<boolean> {
  try {
    const res = await fetch('api/server', { cache: 'no-store', credentials: 'same-origin', headers: asOwner(token) });
    if (res.status === 401) forgetOwnerToken();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * "Upload review set (JSONL or CSV)": the file goes to `POST /api/review-sets` under the owner token, which checks it
 * exactly as `model-preview review add` does (the model's inputs, the limits, formulas in CSV cells) and stores it
 * whole or not at all. The server's refusal is shown as text, as it names the line or row to fix.
 */
export function reviewUploadPanel(ownerToken: string, added: (sets: ReviewSetList['sets']) => void): HTMLElement {
  const file = el('input', { id: 'review-upload-file', type: 'file', accept: '.jsonl,.ndjson,.csv', 'data-testid': 'review-upload-file' });
  const name = el('input', { id: 'review-upload-name', type: 'text', maxlength: REVIEW_LIMITS.nameLength, 'data-testid': 'review-upload-name' });
  const button = el('button', { type: 'submit', class: 'button primary', 'data-testid': 'review-upload' }, 'Upload');
  const status = el('p', { class: 'feedback-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'review-upload-status' });
  const say = (text: string, ok: boolean) => {
    replaceChildren(status, text);
    status.classList.toggle('ok', ok);
    status.classList.toggle('error', !ok);
  };
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (chosen && name.value.trim() === '') name.value = chosen.name.replace(/\.[^.]+$/, '');
  });
  const form = el('form', { class: 'review-upload', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: 'review-upload-file' }, 'File (JSONL or CSV)'), file),
    el('div', { class: 'field' }, el('label', { for: 'review-upload-name' }, 'Name of the set'), name),
    el('div', { class: 'actions' }, button),
    status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      const chosen = file.files?.[0];
      if (!chosen) return say('Choose a .jsonl or .csv file first.', false);
      let format: 'jsonl' | 'csv';
      try {
        format = reviewFileFormat(chosen.name); // by its extension, as `review add` takes it
      } catch (err) {
        return say(`${(err as Error).message}.`, false);
      }
      if (chosen.size > REVIEW_LIMITS.bytes) return say(`${chosen.name} is larger than ${REVIEW_LIMITS.bytes / 1024 / 1024} MB; split it into several review sets.`, false);
      const setName = name.value.trim() || chosen.name.replace(/\.[^.]+$/, '');
      button.disabled = true;
      say('Uploading…', true);
      try {
        const res = await fetch('api/review-sets', {
          method: 'POST', cache: 'no-store', credentials: 'same-origin',
          headers: { ...asOwner(ownerToken), 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: setName, format, text: await chosen.text() }),
        });
        const body = await res.json().catch(() => undefined) as (ReviewSetList & { error?: unknown }) | undefined;
        if (!res.ok) return say(`Not added: ${typeof body?.error === 'string' ? body.error : `the server answered ${res.status}`}`, false);
        const sets = Array.isArray(body?.sets) ? body.sets : [];
        say(`Added “${setName}” (${sets.find((s) => s.name === setName)?.cases ?? 0} cases): reviewers find it under “Cases to review”.`, true);
        form.reset();
        added(sets);
      } catch {
        say('The preview did not answer: it may be offline right now. Try again in a moment.', false);
      } finally {
        button.disabled = false;
      }
    })();
  });
  return el('section', { class: 'panel owner-view', 'aria-labelledby': 'owner-view-heading', 'data-testid': 'owner-view' },
    el('h2', { id: 'owner-view-heading' }, 'Upload review set (JSONL or CSV)'),
    el('p', {}, 'You opened this page as its owner. The cases are checked against the model as “model-preview review add” checks them; a file with a problem is not added at all.'),
    form);
}
