import type { NextFunction, Request, Response } from 'express';
import type { RequestPipeline } from './request-pipeline';
import { NOTICE_HEADERS, noticePage, sentence, wantsHtml } from './notice-page';

/** Titles of the pages a browser gets instead of JSON (the page's text is the JSON's message). */
const NOTICE_PAGES: Record<number, string> = { 401: 'This link does not work', 410: 'This link has expired', 429: 'Too many attempts' };

/** Express's last middleware: the pipeline's answer to a failure, as JSON — or, for a browser opening a link, a page. */
export function errorHandler(pipeline: RequestPipeline) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const { status, message, headers } = pipeline.failure(err);
    if (res.headersSent) return void res.destroy();
    const page = wantsHtml(req) ? NOTICE_PAGES[status] : undefined;
    if (page) {
      // Someone opened a dead link in a browser (expired, replaced, mistyped): a page that says what the JSON says.
      res.status(status).set(headers).set(NOTICE_HEADERS).type('html');
      return void res.send(noticePage({ title: page, message: sentence(message) }));
    }
    res.status(status).set(headers).json({ error: message });
  };
}
