import { networkInterfaces } from 'node:os';

/**
 * This computer's addresses on its networks (IPv4 first, then IPv6 with a global scope; no loopback, no link-local),
 * for a preview served on every interface: the addresses people on the same network can open.
 */
export function lanAddresses(interfaces = networkInterfaces()): string[] {
  const found = Object.values(interfaces).flatMap((list) => list ?? []).filter((a) => !a.internal);
  const v4 = found.filter((a) => a.family === 'IPv4' && !a.address.startsWith('169.254.')).map((a) => a.address);
  const v6 = found.filter((a) => a.family === 'IPv6' && !/^fe80:/i.test(a.address)).map((a) => `[${a.address}]`);
  return [...new Set([...v4, ...v6])];
}

/** The server's local base URL (`http://127.0.0.1:P/`) on `address` instead: the link people on the network use. */
export function onAddress(localUrl: string, address: string): string {
  const url = new URL(localUrl);
  url.hostname = address;
  return url.href;
}
