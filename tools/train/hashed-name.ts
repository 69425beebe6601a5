/**
 * Content-addressed artifact names: a file's name carries its hash, so a changed file is a new URL
 * and every cache (HTTP, CDN, the model cache) can keep the old one forever without serving it for
 * the new package. Only manifest.json and search.json keep fixed names.
 */

/** `name` with the first 16 hex digits of its SHA-256 before the extension: `items.json` → `items.0123456789abcdef.json`. */
export function hashedName(name: string, sha256: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? `${name}.${sha256.slice(0, 16)}` : `${name.slice(0, dot)}.${sha256.slice(0, 16)}${name.slice(dot)}`;
}
