/** A location inside a recipe document: object keys and array indexes from the root. */
export type DocPath = ReadonlyArray<string | number>;

/** `steps[2].retry.attempts`: how messages name a location (the line number comes separately). */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else
      out += /^[A-Za-z_$][\w$-]*$/.test(segment)
        ? `${out ? '.' : ''}${segment}`
        : `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `steps[2].retry: message`, or the bare message at the root. */
export function atPath(path: DocPath, message: string): string {
  return path.length === 0 ? message : `${formatPath(path)}: ${message}`;
}
