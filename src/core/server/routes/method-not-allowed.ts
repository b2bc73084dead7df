import type { Request, Response } from 'express';
import { HttpError } from '../http-error';

/** Last handler of an `app.route(...)`: the path exists, the method does not. Lists the methods that do. */
export function methodNotAllowed(req: Request, _res: Response): void {
  const allowed = Object.keys((req.route as { methods: Record<string, boolean> }).methods)
    .filter((m) => m !== '_all').map((m) => m.toUpperCase());
  if (allowed.includes('GET')) allowed.push('HEAD'); // express answers HEAD with the GET handler
  throw new HttpError(405, `${req.method} is not allowed on ${req.path}; use ${allowed.join(' or ')}`, { Allow: allowed.join(', ') });
}
