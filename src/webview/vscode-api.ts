import type { FromWebview } from '../shared/webview-messages';

/**
 * The webview's side of VS Code: `acquireVsCodeApi()` (callable once per page load), typed here because the view has
 * no `vscode` types. `postMessage` only takes the messages the extension understands (src/shared/webview-messages.ts).
 */
export interface WebviewApi<State> {
  postMessage(message: FromWebview): void;
  /** What the last `setState` saved, possibly by an earlier page load of this view: check it before use. */
  getState(): unknown;
  setState(state: State): void;
}

interface RawWebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): unknown;
}

declare const acquireVsCodeApi: () => RawWebviewApi;

export function vscodeApi<State>(): WebviewApi<State> {
  const raw = acquireVsCodeApi();
  return {
    postMessage: (message) => raw.postMessage(message),
    getState: () => raw.getState(),
    setState: (state) => {
      raw.setState(state);
    },
  };
}
