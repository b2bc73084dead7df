/**
 * Resolves true when `promise` settles (either way) within `ms`, false otherwise; leaves no timer behind. The one
 * bounded wait of the project: a child's exit, a socket's close, a tunnel's goodbye must never hold a shutdown.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
