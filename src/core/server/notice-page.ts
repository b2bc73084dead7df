import { createHash } from 'node:crypto';
import type { Request } from 'express';
import escapeHtml from 'escape-html';

/**
 * Small self-contained HTML pages for people who open a share link that cannot show the model: it expired (410), or
 * it needs its password. They load nothing else (the page's own assets are behind the same link), so their one
 * stylesheet is inline and allowed by its hash, not by 'unsafe-inline'.
 */
const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:12vh auto;padding:0 1rem;color:#1f2328;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}input{background:#161b22;color:inherit}}
h1{font-size:1.4rem}.brand{font-size:.8rem;letter-spacing:.08em;text-transform:uppercase;opacity:.7}
form{display:flex;gap:.5rem;margin-top:1rem}input{flex:1;padding:.5rem;border:1px solid #8c959f;border-radius:6px;font:inherit}
button{padding:.5rem 1rem;border-radius:6px;border:0;background:#1f6feb;color:#fff;font:inherit;cursor:pointer}.error{color:#cf222e}`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

export const NOTICE_CSP = [
  "default-src 'none'", `style-src 'sha256-${STYLE_HASH}'`, "img-src data:", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

/**
 * Headers of every notice page. Its referrer policy is `same-origin`, not the `no-referrer` of everything else: under
 * `no-referrer` a browser sends the password form's POST with `Origin: null`, which the cross-site check cannot tell
 * from a forged one. Same-origin requests then name the page's origin; no other site ever gets a Referer.
 */
export const NOTICE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': NOTICE_CSP, 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin',
};

export interface Notice {
  title: string;
  message: string;
  /** Shows a password form that posts to /unlock. */
  passwordForm?: { error?: string };
}

export function noticePage(notice: Notice): string {
  const form = notice.passwordForm
    ? `${notice.passwordForm.error ? `<p class="error" role="alert">${escapeHtml(notice.passwordForm.error)}</p>` : ''}
<form method="post" action="unlock">
<input type="password" name="password" aria-label="Password" autocomplete="current-password" required autofocus data-testid="password">
<button type="submit" data-testid="unlock">Open</button>
</form>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(notice.title)} · Model Preview</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<p class="brand">Model Preview</p>
<h1>${escapeHtml(notice.title)}</h1>
<p>${escapeHtml(notice.message)}</p>
${form}
</body>
</html>
`;
}

/** An API message (`this share link was replaced…`) as a sentence on a page: the same words, capitalised and ended. */
export const sentence = (message: string): string => {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
};

/** A browser navigating (not a program calling the API): it gets a page rather than JSON. */
export const wantsHtml = (req: Request): boolean => req.method === 'GET' && req.accepts(['json', 'html']) === 'html';
