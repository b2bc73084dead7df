/**
 * The `<head>` of the try-it page's HTML, shared by the page the server sends (core/server/routes/page-route.ts) and
 * the offline page its service worker makes (page/service-worker.ts), so both look and behave alike. The arguments
 * are HTML already: the caller escapes what it puts in.
 */
export function pageHead(titleHtml: string, stylesheetHref: string, extra = ''): string {
  return `<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${titleHtml} · Model Preview</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${stylesheetHref}">
${extra}</head>`;
}
