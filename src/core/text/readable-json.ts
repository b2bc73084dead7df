/** JSON for people to edit: two-space indents, but a list of plain values on one line (`[5.1, 3.5, 1.4, 0.2]`). */
export function readableJson(value: unknown): string {
  const leaves: string[] = [];
  const stash = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      if (v.every((x) => x === null || typeof x !== 'object')) {
        leaves.push(JSON.stringify(v).replace(/,(?=\S)/g, ', '));
        return `\u0000${leaves.length - 1}\u0000`;
      }
      return v.map(stash);
    }
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stash(x)]));
    return v;
  };
  return JSON.stringify(stash(value), null, 2).replace(/"\\u0000(\d+)\\u0000"/g, (_m, i: string) => leaves[Number(i)]);
}
