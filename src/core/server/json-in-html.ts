/**
 * JSON to put inside an HTML `<script type="application/json">` element: `<`, `>` and `&` as `\u003c`, `\u003e`,
 * `\u0026`, so no text (a model's description, a reviewer's name) can close the element (`</script>`) or open a
 * comment (`<!--`) in it; U+2028 and U+2029 too, which some JavaScript parsers took as line ends. The result is the same
 * JSON value: `JSON.parse` reads the escapes back.
 */
export function jsonInHtml(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
