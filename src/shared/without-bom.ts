/**
 * Text of a file a person edited, without the UTF-8 byte order mark some Windows tools write first (Notepad's
 * "UTF-8 with BOM", PowerShell 5's `Out-File`/`Set-Content -Encoding utf8`): JSON.parse rejects it ("Unexpected
 * token"). CRLF line ends need nothing: JSON treats \r as whitespace, and the line-based readers split on \r?\n.
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
