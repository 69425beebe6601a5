/**
 * The subscribers' histories reader of `inpage recommend`: grouping, column names, JSON Lines,
 * time order within a subscriber, and the malformed-line rule.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packChunk, readHistories, unpackChunk, type SubscriberHistory } from '../../tools/recommend/histories.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-histories-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function read(name: string, text: string, maxBadLines = 10): Promise<{ subs: SubscriberHistory[]; bad: string[]; ignored: number }> {
  const path = join(dir, name);
  await writeFile(path, text);
  const bad: string[] = [];
  const r = readHistories(path, { maxBadLines, onBadLine: (l) => bad.push(l) });
  const subs: SubscriberHistory[] = [];
  for await (const s of r.subscribers) subs.push(s);
  return { subs, bad, ignored: r.stats.ignoredEvents };
}

describe('readHistories', () => {
  it('groups contiguous lines per subscriber, orders each by time, reads a BOM, CRLF, quoted cells and synonyms', async () => {
    const { subs, bad, ignored } = await read('a.csv', '\uFEFFEmail,Product ID,Action,When,session_id\r\n' +
      'ann@x,p2,cart,2026-09-02T00:00:00Z,s1\r\nann@x,"p,1",detail,2026-09-01T00:00:00Z,s1\r\n' +
      'bob@x,p3,impression,2026-09-01T00:00:00Z,s2\r\ncid@x,p4,purchase,1756684800,s3');
    expect(bad).toEqual([]);
    expect(ignored).toBe(1);
    expect(subs).toEqual([
      { id: 'ann@x', events: [['p,1', 'view', Date.parse('2026-09-01T00:00:00Z')], ['p2', 'add_to_cart', Date.parse('2026-09-02T00:00:00Z')]] },
      { id: 'bob@x', events: [] },
      { id: 'cid@x', events: [['p4', 'purchase', 1756684800_000]] },
    ]);
    expect(unpackChunk(packChunk(subs))).toEqual(subs);
  });

  it('reads JSON Lines with a user_id key', async () => {
    const { subs } = await read('a.jsonl', '{"user_id":7,"sku":"p1","event":"view","timestamp":"2026-09-01T00:00:00Z"}\n{"user_id":7,"sku":"p2","event":"click","timestamp":"2026-09-01T00:01:00Z"}\n');
    expect(subs).toEqual([{ id: '7', events: [['p1', 'view', Date.parse('2026-09-01T00:00:00Z')], ['p2', 'click', Date.parse('2026-09-01T00:01:00Z')]] }]);
  });

  it('skips malformed lines with their line numbers, and stops past the limit', async () => {
    const text = 'subscriber_id,item_id,event,timestamp\na,p1,view,2026-09-01T00:00:00Z\na,p2\n,p3,view,2026-09-01T00:00:00Z\na,p4,view,nope-1\na,p5,view,2026-09-01T00:05:00Z\n';
    const { subs, bad } = await read('b.csv', text);
    expect(bad).toEqual([
      "line 3: 2 fields, expected 4: 'a,p2'",
      "line 4: no subscriber: ',p3,view,2026-09-01T00:00:00Z'",
      "line 5: timestamp 'nope-1' is not ISO 8601 or epoch seconds/ms: 'a,p4,view,nope-1'",
    ]);
    expect(subs.map((s) => [s.id, s.events.map((e) => e[0])])).toEqual([['a', ['p1', 'p5']]]);
    await expect(read('c.csv', text, 2)).rejects.toThrow('more than 2 malformed lines (stopped at line 5)');
  });

  it('names the missing column of a header', async () => {
    await expect(read('d.csv', 'session_id,item_id,event,timestamp\ns1,p1,view,2026-09-01T00:00:00Z\n')).rejects.toThrow('no subscriber column');
  });
});
