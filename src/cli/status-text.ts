import type { ServerStatus } from '../shared/server-info';

/** The fields `status --json` (and `serve --detach --json`) print for a running server, beside `running: true`. */
export function statusFields(status: ServerStatus) {
  const link = status.shareLink;
  return {
    pid: status.pid, port: status.port, host: status.host, localUrl: status.localUrl, shareUrl: status.shareUrl,
    publicUrl: link.publicUrl ?? null, lanUrls: status.lanUrls, tunnel: link.tunnel, expiresAt: link.expiresAt ?? null,
    model: status.model, modelVersion: status.modelVersion, startedAt: status.startedAt, version: status.version,
  };
}

/** A running server as `status` (and `serve --detach`) print it. */
export function statusText(status: ServerStatus, dataDir: string): string[] {
  const link = status.shareLink;
  const tunnel = link.tunnel.provider === 'none' ? 'no tunnel' : `${link.tunnel.provider} tunnel ${link.tunnel.state}`;
  return [
    `Model Preview: serving ${status.model} (version ${status.modelVersion}) from ${dataDir}`,
    `pid ${status.pid}, port ${status.port} on ${status.host}, since ${status.startedAt}, ${tunnel}`,
    `Share link:  ${status.shareUrl}`,
    ...status.lanUrls.map((url) => `Network:     ${url}`),
    ...(link.publicUrl ? [`This machine: ${status.localUrl}`] : []),
  ];
}
