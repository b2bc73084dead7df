import * as vscode from 'vscode';
import type { FeedbackRecord } from '../../shared/feedback-record';
import { terminalSafe } from '../../shared/visible-text';

/**
 * Read-only JSON documents of feedback records (`model-preview-record:` URIs): a card's "open" shows the exact input
 * and output the person saw. A content provider's documents cannot be edited or saved, which is the point.
 */
export class RecordDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'model-preview-record';
  private readonly records = new Map<string, FeedbackRecord>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(RecordDocuments.scheme, this);
  // A record is held only while its document is open (records carry their tensors).
  private readonly closing = vscode.workspace.onDidCloseTextDocument((document) => this.records.delete(document.uri.toString()));

  async open(record: FeedbackRecord): Promise<vscode.TextEditor> {
    // The path is built from the model name and the server's own ids; a stakeholder's text never becomes a path.
    const uri = vscode.Uri.from({ scheme: RecordDocuments.scheme, path: `/${encodeURIComponent(record.model)}@${record.modelVersion}/${record.id}.json` });
    this.records.set(uri.toString(), record);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'json');
    return vscode.window.showTextDocument(document, { preview: true });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const record = this.records.get(uri.toString());
    if (!record) return '// This feedback record is no longer loaded: open it again from the Feedback view.';
    // JSON.stringify escapes control characters; bidi controls are made visible too so the text reads as sent.
    return terminalSafe(JSON.stringify(record, null, 2));
  }

  dispose(): void {
    this.registration.dispose();
    this.closing.dispose();
    this.records.clear();
  }
}
