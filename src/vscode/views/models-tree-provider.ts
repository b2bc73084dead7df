import * as vscode from 'vscode';
import type { ModelCatalog } from '../models/model-catalog';
import { modelNodes, type ModelNode } from '../models/model-tree';

/** The Models view: the catalog's nodes as TreeItems; refreshed whenever the catalog changes. */
export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelNode>, vscode.Disposable {
  static readonly viewId = 'modelPreview.models';
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly catalog: ModelCatalog) {
    this.subscription = catalog.onDidChange(() => this.changed.fire());
  }

  getChildren(node?: ModelNode): ModelNode[] {
    return node ? node.children : modelNodes(this.catalog.models);
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    const isModel = node.kind.startsWith('model');
    const item = new vscode.TreeItem(node.label, node.children.length === 0
      ? vscode.TreeItemCollapsibleState.None
      : node.kind === 'group' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = new vscode.ThemeIcon(node.icon, node.warning ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
    item.contextValue = node.kind;
    if (isModel) {
      item.resourceUri = vscode.Uri.file(node.file);
      // No click command: opening a binary .onnx in an editor helps nobody; the inline actions do the work.
    }
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
