import { fromEnvelope, isToWebview } from '../shared/webview-messages';
import { FeedbackViewDom } from './feedback-view';
import { applyMessage, restoreState, type ViewState } from './logic/view-state';
import { vscodeApi } from './vscode-api';

/**
 * The Feedback webview view (bundled to dist/webview/feedback.js). It paints what it saved with setState (VS Code
 * drops a hidden view's page and loads it again when shown), says `ready`, and from then on shows what the extension
 * posts: a `reset` (the whole state, the answer to every `ready`), new `records`, the running `previews`. Every message
 * is checked by the shared guard before use.
 */

const TIME_REFRESH_MS = 30_000;

const api = vscodeApi<ViewState>();
let state = restoreState(api.getState());

const root = document.getElementById('root');
if (!root) throw new Error('the view has no #root element');

const view = new FeedbackViewDom(root, {
  onFilter(filter) {
    state = { ...state, filter };
    save();
    render();
  },
  onQuery(query) {
    state = { ...state, query };
    save();
    render();
  },
  onOpen(card) {
    api.postMessage({ type: 'open-record', previewId: card.previewId, id: card.id });
  },
  onHelp(topic) {
    api.postMessage({ type: 'open-help', topic });
  },
  onWantThumbnail(card) {
    api.postMessage({ type: 'want-thumbnail', previewId: card.previewId, id: card.id });
  },
});

function save(): void {
  api.setState(state);
}

function render(): void {
  view.render(state, Date.now());
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = fromEnvelope(event.data);
  if (!isToWebview(message)) {
    console.warn('Model Preview feedback view: ignored a message it does not understand');
    return;
  }
  if (message.type === 'ping') return api.postMessage({ type: 'pong' });
  if (message.type === 'thumbnail') return view.setThumbnail(message.id, message.image);
  state = applyMessage(state, message);
  save();
  render();
  if (message.type === 'focus-filter') view.focusSearch();
});

// Remember where the list was scrolled (saved at most once a frame), and go back there after a reload.
let scrollSaveQueued = false;
window.addEventListener('scroll', () => {
  if (scrollSaveQueued) return;
  scrollSaveQueued = true;
  requestAnimationFrame(() => {
    scrollSaveQueued = false;
    state = { ...state, scrollY: window.scrollY };
    save();
  });
}, { passive: true });

render();
if (state.scrollY > 0) window.scrollTo(0, state.scrollY);
window.setInterval(() => view.refreshTimes(Date.now()), TIME_REFRESH_MS);

api.postMessage({ type: 'ready' });
