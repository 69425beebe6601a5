/**
 * The tiny GPT fixture (tools/gpt) for the generation specs: written (seeded, byte-identical) into
 * `public/hf/inpage-test/tiny-gpt/`, which the test server serves at `/hf/`, so transformers.js
 * reaches it through its hub code path, as in production.
 */
import { fileURLToPath } from 'node:url';
import { writeHfFolder } from '../../tools/encoder/hf-layout.ts';
import { TINY_GPT, tinyGpt, type TinyGpt } from '../../tools/gpt/fixture.ts';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
let written: Promise<TinyGpt> | undefined;

/** Writes the fixture once per test worker (atomic renames: workers may race harmlessly). */
export function gptFixture(): Promise<TinyGpt> {
  written ??= (async () => {
    const gpt = tinyGpt();
    await writeHfFolder(root(`public/hf/${gpt.id}`), gpt.files);
    return gpt;
  })();
  return written;
}

let long: Promise<TinyGpt> | undefined;

/** The same model shape with 512 positions (room for a help passage in the prompt). */
export function gptFixture512(): Promise<TinyGpt> {
  long ??= (async () => {
    const gpt = tinyGpt({ ...TINY_GPT, positions: 512 }, 'inpage-test/tiny-gpt-512');
    await writeHfFolder(root(`public/hf/${gpt.id}`), gpt.files);
    return gpt;
  })();
  return long;
}
