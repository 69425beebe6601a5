/**
 * Hugging Face fixture models for the pipeline specs: generated (seeded, byte-identical on every
 * run) into `public/hf/`, which the test server serves at `/hf/`, so transformers.js reaches them
 * through its hub code path (`remoteHost` + `remotePathTemplate`), the one used in production.
 */
import { fileURLToPath } from 'node:url';
import { writeHfFolder } from '../../tools/encoder/hf-layout.ts';
import { tinyBertFixtures, type TinyBert } from '../../tools/encoder/tiny-bert.ts';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

let written: Promise<TinyBert[]> | undefined;

/** Writes the fixtures once per test worker (atomic renames: workers may race harmlessly). */
export function hfFixtures(): Promise<TinyBert[]> {
  written ??= (async () => {
    const all = tinyBertFixtures();
    for (const f of all) await writeHfFolder(root(`public/hf/${f.id}`), f.files);
    return all;
  })();
  return written;
}

/** The fixture of a kind. */
export async function hfFixture(kind: TinyBert['kind']): Promise<TinyBert> {
  const f = (await hfFixtures()).find((x) => x.kind === kind);
  if (!f) throw new Error(`no fixture ${kind}`);
  return f;
}
