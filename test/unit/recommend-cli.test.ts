/**
 * `inpage recommend` (the newsletter batch) as a person runs it, a child process over files, on a
 * package trained from a tiny generated shop:
 * - its lists equal the page's: `createRecommender` in Node, fed each subscriber's events with
 *   track(), on the same runtime, for 1,000 seeded histories;
 * - malformed lines are reported by line number and skipped, and too many stop the run;
 * - a run cut off mid-file resumes without duplicates, ending with the same file as one whole run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import { createRecommender } from '../../src/recommend/recommender.ts';
import { writeHistories } from '../../bench/newsletter-histories.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import { readHistories, type SubscriberHistory } from '../../tools/recommend/histories.ts';
import { nodeEngine } from '../../tools/recommend/node-engine.ts';
import { csvHeader } from '../../tools/recommend/output.ts';
import { checkResumable } from '../../tools/recommend/run.ts';
import { fileFetch } from '../../tools/recommend/subscriber-list.ts';
import { train } from '../../tools/train/train.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/inpage.js', import.meta.url));
let dir = '';
let reco = '';
let histories = '';

/** `inpage recommend …`; resolves with the exit code and output (never rejects). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'recommend', ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

type Row = { subscriber_id: string; list: 'personal' | 'trending'; recs: { id: string; score: number; reason: string; url: string; price: number }[] };
const rows = (text: string): Row[] => text.trim().split('\n').map((l) => JSON.parse(l) as Row);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-newsletter-'));
  reco = join(dir, 'reco');
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', 'events.csv'), outDir: reco, model: { maxEpochs: 3 }, encoder: false });
  histories = join(dir, 'subscribers.csv');
  await writeHistories(reco, 1000, histories, 11);
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('inpage recommend', () => {
  it('writes, for each of 1,000 subscribers, the list createRecommender gives that visitor in Node', async () => {
    const out = join(dir, 'recs.jsonl');
    const r = await cli(['--reco', reco, '--histories', histories, '--out', out, '--k', '6', '--workers', '2', '--link', 'https://shop.example/p/{id}']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote 1,000 rows to .*recs\.jsonl: \d+ personal, \d+ trending/);
    expect(r.stdout).toContain('hosted cost avoided for 1,000 calls: $0.14 on cheap hosted LLM, $15.00 on frontier hosted LLM');
    const got = rows(await readFile(out, 'utf8'));

    const subs: SubscriberHistory[] = [];
    for await (const s of readHistories(histories, { maxBadLines: 0 }).subscribers) subs.push(s);
    expect(got.map((g) => g.subscriber_id)).toEqual(subs.map((s) => s.id));
    expect(new Set(got.map((g) => g.list))).toEqual(new Set(['personal', 'trending']));

    const engine = await nodeEngine({ runtime: 'wasm', read: async (url) => new Uint8Array(await readFile(fileURLToPath(url))) });
    const manifestUrl = pathToFileURL(join(reco, 'manifest.json'));
    for (const [i, s] of subs.entries()) {
      const rec = await createRecommender({ engine, manifestUrl, storage: null, fetch: fileFetch, now: () => Date.parse('2026-12-01T00:00:00Z'), retention: { days: 400, maxBytes: 4 * 1024 * 1024 } });
      for (const [itemId, type, time] of s.events) rec.track({ type, itemId, time });
      const page = await rec.recommend({ strategy: 'for-you', k: 6 });
      await rec.dispose();
      const mine = got[i]!;
      expect(mine.recs.map((x) => x.id), s.id).toEqual(page.map((p) => p.itemId));
      expect(mine.recs.map((x) => x.reason), s.id).toEqual(page.map((p) => p.reason));
      mine.recs.forEach((x, j) => expect(x.score).toBeCloseTo(page[j]!.score, 5));
      expect(mine.list, s.id).toBe(page[0]?.personalised === true ? 'personal' : 'trending');
    }
    expect(got[0]!.recs[0]!.url).toBe(`https://shop.example/p/${encodeURIComponent(got[0]!.recs[0]!.id)}`);
  }, 300_000);

  it('skips malformed lines, naming each by its line number, and stops past --max-bad-lines', async () => {
    const text = (await readFile(histories, 'utf8')).split('\n').slice(0, 60);
    text.splice(3, 0, 'sub-x,only-two-fields');
    text.splice(7, 0, 'sub-00000001,sku-1,view,yesterday');
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, `${text.join('\n')}\n`);
    const out = join(dir, 'bad-recs.csv');
    const ok = await cli(['--reco', reco, '--histories', bad, '--out', out, '--k', '3']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain("skipped line 4: 2 fields, expected 4: 'sub-x,only-two-fields'");
    expect(ok.stderr).toContain("skipped line 8: timestamp 'yesterday' is not ISO 8601 or epoch seconds/ms");
    expect(ok.stdout).toContain('skipped 2 malformed lines');
    const csv = (await readFile(out, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('subscriber_id,list,rec1_id,rec1_title,rec1_url,rec1_image,rec1_price,rec1_reason,rec2_id,rec2_title,rec2_url,rec2_image,rec2_price,rec2_reason,rec3_id,rec3_title,rec3_url,rec3_image,rec3_price,rec3_reason');
    expect(csv.slice(1).some((l) => l.startsWith('sub-x,'))).toBe(false);

    const strict = await cli(['--reco', reco, '--histories', bad, '--out', out, '--max-bad-lines', '1']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('more than 1 malformed lines (stopped at line 8)');
  }, 120_000);

  it('resumes a run cut off mid-file: no subscriber twice, the same file as one whole run', async () => {
    const whole = join(dir, 'whole.csv');
    expect((await cli(['--reco', reco, '--histories', histories, '--out', whole, '--workers', '2'])).code).toBe(0);
    const expected = await readFile(whole, 'utf8');
    // What an interrupted run leaves: the first rows, the last one torn mid-line.
    const cut = join(dir, 'cut.csv');
    await writeFile(cut, expected);
    await truncate(cut, Math.floor(expected.length * 0.4));
    expect((await stat(cut)).size).toBeLessThan(expected.length);
    const r = await cli(['--reco', reco, '--histories', histories, '--out', cut, '--workers', '2', '--resume']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/resumed after \d+ rows already there/);
    const resumed = await readFile(cut, 'utf8');
    const ids = resumed.trim().split('\n').slice(1).map((l) => l.slice(0, l.indexOf(',')));
    expect(new Set(ids).size).toBe(ids.length);
    expect(resumed).toBe(expected);

    // An output of other subscribers is not resumed into.
    const other = join(dir, 'other.csv');
    await writeFile(other, `${expected.split('\n')[0]}\nsomeone-else,trending\n`);
    const mismatch = await cli(['--reco', reco, '--histories', histories, '--out', other, '--resume']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('ends with subscriber "someone-else"');

    // Another --k, format or --strategy than the file was written with: refused, the file untouched.
    const wrongK = await cli(['--reco', reco, '--histories', histories, '--out', cut, '--k', '4', '--resume']);
    expect(wrongK.code).toBe(1);
    expect(wrongK.stderr).toContain('was written with --k 6 (its header has 6 rec slots), not --k 4');
    const wrongStrategy = await cli(['--reco', reco, '--histories', histories, '--out', cut, '--strategy', 'similar', '--resume']);
    expect(wrongStrategy.code).toBe(1);
    expect(wrongStrategy.stderr).toMatch(/the last row of .*cut\.csv \(subscriber "[^"]+"\) is not the row these flags give that subscriber/);
    expect(await readFile(cut, 'utf8')).toBe(expected);
    const asJsonl = join(dir, 'cut.jsonl');
    await writeFile(asJsonl, expected);
    const wrongFormat = await cli(['--reco', reco, '--histories', histories, '--out', asJsonl, '--resume']);
    expect(wrongFormat.code).toBe(1);
    expect(wrongFormat.stderr).toContain('is not JSON Lines');
  }, 180_000);

  it('checkResumable refuses another --k or format with a typed error', () => {
    const header = { firstLine: csvHeader(6) };
    expect(() => checkResumable(header, 'recs.csv', 'csv', 6)).not.toThrow();
    expect(() => checkResumable({ firstLine: '' }, 'recs.csv', 'csv', 3)).not.toThrow(); // nothing there yet
    const err = (f: () => void): InpageError => {
      try {
        f();
      } catch (e) {
        return e as InpageError;
      }
      throw new Error('did not throw');
    };
    const k = err(() => checkResumable(header, 'recs.csv', 'csv', 8));
    expect(k).toBeInstanceOf(InpageError);
    expect(k.code).toBe('OPTION_INVALID');
    expect(k.message).toBe('--resume: recs.csv was written with --k 6 (its header has 6 rec slots), not --k 8; run with the flags that wrote it, or start over without --resume.');
    expect(err(() => checkResumable(header, 'recs.jsonl', 'jsonl', 6)).message).toContain('is not JSON Lines');
    expect(err(() => checkResumable({ firstLine: '{"subscriber_id":"a"}' }, 'recs.csv', 'csv', 6)).message).toContain('holds JSON Lines, not CSV');
    expect(err(() => checkResumable({ firstLine: 'id,name' }, 'recs.csv', 'csv', 6)).message).toContain("has a header that is not this command's");
  });

  it('says what to fix for a bad flag', async () => {
    const r = await cli(['--reco', reco, '--histories', histories, '--out', join(dir, 'x.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out must end in .csv or .jsonl');
    const rel = await cli(['--reco', reco, '--histories', histories, '--out', join(dir, 'x.csv'), '--link', '/p/{id}']);
    expect(rel.code).toBe(2);
    expect(rel.stderr).toContain('e-mails need absolute URLs');
  }, 60_000);
});
