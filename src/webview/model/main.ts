import { el, replaceChildren } from '../../browser/dom';
import { isToModelEditor, type FromModelEditor, type ModelEditorAction, type ModelEditorState, type TensorRow } from '../../shared/model-editor-messages';
import { cardText } from '../logic/card-text';

/**
 * The `.onnx` model editor's page (bundled to dist/webview/model.js; src/vscode/editors/model-editor-provider.ts opens
 * it). Shows what the extension posts — checked by the shared guard — as text, never markup; its buttons post a
 * closed list of actions back.
 */
interface RawApi {
  postMessage(message: FromModelEditor): void;
}
declare const acquireVsCodeApi: () => RawApi;
const api = acquireVsCodeApi();

const root = document.getElementById('root');
if (!root) throw new Error('the editor has no #root element');

function button(action: ModelEditorAction, label: string, icon: string, primary = false): HTMLButtonElement {
  const b = el('button', { type: 'button', class: primary ? 'button primary' : 'button', 'data-action': action },
    el('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }), label);
  b.addEventListener('click', () => api.postMessage({ type: 'action', action }));
  return b;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

function tensorTable(caption: string, rows: TensorRow[], testid: string): HTMLElement {
  return el('table', { class: 'signature', 'data-testid': testid },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'type'), el('th', {}, 'shape'))),
    el('tbody', {}, ...rows.map((t) => el('tr', {}, el('td', { dir: 'auto' }, t.name), el('td', {}, t.datatype), el('td', {}, t.shape)))));
}

function render(model: ModelEditorState): void {
  const published = model.published;
  const facts = [model.relativePath, model.fileSize === undefined ? undefined : size(model.fileSize), model.version === undefined ? undefined : `version ${model.version}`]
    .filter((x) => x !== undefined).join(' · ');
  const sidecar = model.sidecar.state === 'present'
    ? `Page settings: ${model.sidecar.file}`
    : model.sidecar.state === 'ignored' ? `Page settings ignored: ${model.sidecar.problem ?? ''}` : `No ${model.sidecar.file}: the page uses what the model says about itself`;
  const feedback = model.feedback.map((card) => {
    const text = cardText(card, Date.now());
    const item = el('li', { class: `card ${card.rating}`, role: 'button', tabindex: 0, 'data-testid': 'model-feedback', 'aria-label': text.ariaLabel },
      el('span', { class: `codicon codicon-${text.icon}`, 'aria-hidden': 'true' }), ' ',
      el('span', { dir: 'auto' }, [text.predicted, text.expected].filter((x) => x !== undefined).join(' → ') || text.rating),
      text.reasons.length === 0 ? undefined : el('span', { class: 'reasons', dir: 'auto', 'data-testid': 'model-feedback-reasons' }, ` (${text.reasons.join(', ')})`),
      text.comment === undefined ? undefined : el('span', { class: 'muted', dir: 'auto' }, ` — ${text.comment}`),
      el('span', { class: 'muted' }, ` · ${text.reviewer}, ${text.when}`));
    const open = () => api.postMessage({ type: 'open-record', previewId: card.previewId, id: card.id });
    item.addEventListener('click', open);
    item.addEventListener('keydown', (e) => (e.key === 'Enter' ? open() : undefined));
    return item;
  });
  replaceChildren(root!,
    el('section', { class: 'model-editor', 'data-testid': 'model-editor' },
      el('h1', { dir: 'auto' }, model.name),
      el('p', { class: 'muted', 'data-testid': 'model-facts' }, facts),
      model.error === undefined ? undefined : el('p', { class: 'problem', role: 'alert' }, `Cannot read this model: ${model.error}`),
      el('div', { class: 'publish-state', 'data-testid': 'publish-state' },
        published
          ? el('div', { class: 'share-row' },
            el('p', {}, el('span', { class: 'codicon codicon-broadcast', 'aria-hidden': 'true' }), ` Published (${published.modelVersion}, ${published.tunnel === 'none' ? 'this machine only' : `via ${published.tunnel}`}): `,
              el('code', { 'data-testid': 'share-link' }, published.shareUrl)),
            published.qrCode === undefined ? undefined : el('img', {
              class: 'qr-code', 'data-testid': 'model-qr-code', src: published.qrCode, width: 144, height: 144,
              alt: 'QR code of the share link: a phone\u2019s camera opens it', title: 'Scan with a phone to open the share link',
            }))
          : el('p', {}, 'Not published.'),
        el('div', { class: 'buttons' },
          published ? button('stop', 'Stop', 'debug-stop') : button('publish', 'Publish', 'broadcast', true),
          published ? button('copy-link', 'Copy link', 'copy') : undefined,
          published ? button('open-page', 'Open page', 'link-external') : undefined,
          button('customize', 'Customize page', 'edit'),
          button('open-table', 'Feedback table', 'table'))),
      el('p', { class: 'muted', 'data-testid': 'sidecar-state' }, sidecar),
      el('div', { class: 'signatures' }, tensorTable('Inputs', model.inputs, 'model-inputs'), tensorTable('Outputs', model.outputs, 'model-outputs')),
      model.details.length === 0 ? undefined : el('table', { class: 'details', 'data-testid': 'model-details' },
        el('caption', {}, 'About the model'),
        el('tbody', {}, ...model.details.map(([k, v]) => el('tr', {}, el('th', { dir: 'auto' }, k), el('td', { dir: 'auto' }, v))))),
      el('h2', {}, 'Latest feedback'),
      feedback.length === 0 ? el('p', { class: 'muted' }, published ? 'None yet: share the link.' : 'Publish the model and share its link to collect feedback.') : el('ul', { class: 'latest' }, ...feedback)));
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (!isToModelEditor(event.data)) {
    console.warn('Model Preview model editor: ignored a message it does not understand');
    return;
  }
  render(event.data.model);
});

replaceChildren(root, el('p', { class: 'muted' }, 'Reading the model…'));
api.postMessage({ type: 'ready' });
