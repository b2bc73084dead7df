import { networkInterfaces } from 'node:os';

const ALL_IPV4 = '0.0.0.0';
const ALL_IPV6 = '::';

/** Whether `host` listens on every interface, so other machines of the network can reach it. */
export function listensOnAllInterfaces(host: string): boolean {
  return host === ALL_IPV4 || host === ALL_IPV6 || host === '[::]';
}

/**
 * The base URLs other machines of the network reach a server on `host:port` by: one per non-loopback address of this
 * machine (IPv4 first; IPv6 too when it listens on `::`, link-local ones left out: they need a zone id). Empty when the
 * server listens on one address only (then that address is its link).
 */
export function lanBaseUrls(host: string, port: number, interfaces = networkInterfaces()): string[] {
  if (!listensOnAllInterfaces(host)) return [];
  const v4: string[] = [];
  const v6: string[] = [];
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(`http://${a.address}:${port}/`);
      else if (host !== ALL_IPV4 && !a.address.toLowerCase().startsWith('fe80:')) v6.push(`http://[${a.address}]:${port}/`);
    }
  }
  return [...v4, ...v6];
}
