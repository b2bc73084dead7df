import * as vscode from 'vscode';
import type { FeedbackSort } from '../../shared/webview-messages';
import type { FeedbackViewProvider } from '../views/feedback-view-provider';

/** The workspace-state key of the chosen order, and the context key that swaps the title bar's sort button. */
const SORT_KEY = 'modelPreview.feedbackSort';

/**
 * The Feedback view's own title-bar actions: Filter (the cursor goes to the view's search box) and the sort toggle
 * (newest first / thumbs-down first), remembered per workspace. (Export CSV, Open feedback file and Insert loader are
 * the feedback commands, also placed in that title bar by package.json.)
 */
export function registerFeedbackViewCommands(view: FeedbackViewProvider, state: vscode.Memento): vscode.Disposable[] {
  const setSort = (sort: FeedbackSort) => {
    view.setSort(sort);
    void vscode.commands.executeCommand('setContext', SORT_KEY, sort);
    void state.update(SORT_KEY, sort);
    return sort;
  };
  setSort(state.get<FeedbackSort>(SORT_KEY) === 'worst' ? 'worst' : 'newest');
  return [
    vscode.commands.registerCommand('modelPreview.filterFeedback', async () => {
      view.focusFilter();
      await vscode.commands.executeCommand(`${view.viewId}.focus`);
    }),
    vscode.commands.registerCommand('modelPreview.sortFeedbackWorstFirst', () => setSort('worst')),
    vscode.commands.registerCommand('modelPreview.sortFeedbackNewestFirst', () => setSort('newest')),
  ];
}
