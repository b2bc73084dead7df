import type { IncomingMessage } from 'node:http';
import { json, Router, type RequestHandler } from 'express';
import type { FeedbackService } from '../../feedback/feedback-service';
import { feedbackCsv } from '../../../shared/feedback-csv';
import { HttpError } from '../http-error';
import { requireUtf8 } from '../json-charset';
import { methodNotAllowed } from './method-not-allowed';

/** Feedback in (share token: the page) and out (owner token: exports and stats). */
export function feedbackRoutes(feedback: FeedbackService, share: RequestHandler, owner: RequestHandler, limit: RequestHandler, inviteOf: (req: IncomingMessage) => string | undefined): Router {
  const router = Router();
  router.route('/api/feedback')
    .post(share, limit, requireUtf8, json({ limit: '64kb', type: () => true }), async (req, res) => {
      const { id, duplicate } = await feedback.submit(req.body, { userAgent: req.get('user-agent'), invitedAs: inviteOf(req) });
      res.status(duplicate ? 200 : 201).json(duplicate ? { id, duplicate } : { id });
    })
    .get(owner, (req, res) => {
      const format = req.query.format ?? 'jsonl';
      if (format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment('feedback.csv').send(feedbackCsv(feedback.records()));
      } else if (format === 'jsonl') {
        res.type('application/x-ndjson; charset=utf-8').send(feedback.records().map((r) => JSON.stringify(r) + '\n').join(''));
      } else {
        throw new HttpError(400, `format: must be jsonl or csv, not ${JSON.stringify(format)}`);
      }
    })
    .all(methodNotAllowed);
  router.route('/api/stats').get(owner, (_req, res) => void res.json(feedback.stats())).all(methodNotAllowed);
  return router;
}
