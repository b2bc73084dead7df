import type * as vscode from 'vscode';
import { pathKey } from '../models/path-key';
import type { PublishTunnel } from './serve-arguments';

/** One model the owner published and did not stop, and how its link was shared. */
export interface PublishedPreview {
  file: string;
  tunnel: PublishTunnel;
}

const KEY = 'modelPreview.publishedPreviews';
const TUNNELS: readonly PublishTunnel[] = ['none', 'lan', 'ssh', 'pipenet', 'ngrok', 'vscode'];

/**
 * Which models are published in this workspace, kept in its workspace state: a window reload or a closed and
 * reopened window publishes them again (with the data folder's remembered port and token: the same link), or
 * attaches to the server still running. Stop forgets one; the window going away does not.
 */
export class PublishedPreviews {
  constructor(private readonly state: vscode.Memento) {}

  get all(): PublishedPreview[] {
    const stored = this.state.get<unknown>(KEY);
    return Array.isArray(stored) ? stored.filter(isPublishedPreview) : [];
  }

  remember(file: string, tunnel: PublishTunnel): void {
    void this.state.update(KEY, [...this.others(file), { file, tunnel }]);
  }

  forget(file: string): void {
    if (this.all.some((p) => pathKey(p.file) === pathKey(file))) void this.state.update(KEY, this.others(file));
  }

  private others(file: string): PublishedPreview[] {
    return this.all.filter((p) => pathKey(p.file) !== pathKey(file));
  }
}

function isPublishedPreview(value: unknown): value is PublishedPreview {
  const v = value as Partial<PublishedPreview> | null;
  return typeof v?.file === 'string' && TUNNELS.includes(v.tunnel as PublishTunnel);
}
