/** The streaming event reader: header detection, column order, quoting, timestamps, skipped lines. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../tools/train/catalog.ts';
import { parseTime, readEvents, splitCsv } from '../../tools/train/read-events.ts';
import { buildSessions } from '../../tools/train/sessions.ts';

let dir = '';
const index = new Map([['a', 0], ['b', 1], ['c', 2]]);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(name: string, text: string) {
  const path = join(dir, name);
  await writeFile(path, text);
  return readEvents(path, index);
}

describe('readEvents', () => {
  it('maps a header in any column order and keeps only known items and event types', async () => {
    const log = await read('x.csv', [
      'timestamp,event,item_id,session_id',
      '2026-01-01T00:00:10Z,view,a,s1',
      '2026-01-01T00:00:20Z,add_to_cart,b,s1',
      '2026-01-01T00:00:30Z,view,zzz,s1',
      '2026-01-01T00:00:40Z,wishlist,a,s2',
      'not-a-time,view,a,s2',
      '1767225700,purchase,c,s2',
      '',
    ].join('\r\n'));
    expect(log.length).toBe(3);
    expect(log.sessions).toBe(2);
    expect(Array.from(log.item)).toEqual([0, 1, 2]);
    expect(Array.from(log.code)).toEqual([0, 2, 3]);
    expect(log.time[2]).toBe(1767225700 * 1000);
    expect(log.stats).toMatchObject({ format: 'csv', kept: 3, unknownItems: 1, unknownEvents: 1, badLines: 1 });
    expect(log.stats.examples.join('\n')).toMatch(/line 4: item 'zzz' is not in the catalogue/);
  });

  it('reads a header-less CSV positionally and quoted fields with commas', async () => {
    const log = await read('y.csv', 's1,a,view,2026-01-01T00:00:00Z\n"s,2","b","click","2026-01-01T00:00:05Z"\n');
    expect(log.length).toBe(2);
    expect(log.sessions).toBe(2);
    expect(Array.from(log.code)).toEqual([0, 1]);
  });

  it('detects JSON Lines by content and accepts epoch milliseconds', async () => {
    const log = await read('z.log', '{"session_id":"s1","item_id":"c","event":"view","timestamp":1767225600000}\n{oops\n');
    expect(log.stats.format).toBe('jsonl');
    expect(log.length).toBe(1);
    expect(log.time[0]).toBe(1767225600000);
    expect(log.stats.badLines).toBe(1);
  });

  it('names the missing column of a header', async () => {
    await expect(read('h.csv', 'session_id,item_id,timestamp\ns1,a,2026-01-01T00:00:00Z\n')).rejects.toThrow(/no event column/);
  });

  it('orders each session by time and collapses consecutive events on one item into a step', async () => {
    const log = await read('s.csv', [
      'session_id,item_id,event,timestamp',
      's1,b,view,2026-01-01T00:01:00Z',
      's1,a,view,2026-01-01T00:00:00Z',
      's1,a,add_to_cart,2026-01-01T00:00:30Z',
      's2,c,view,2026-01-01T00:00:00Z',
      's1,a,purchase,2026-01-01T00:02:00Z',
    ].join('\n'));
    const s = buildSessions(log);
    expect(s.count).toBe(2);
    expect(Array.from(s.offsets)).toEqual([0, 3, 4]);
    expect(Array.from(s.item)).toEqual([0, 1, 0, 2]); // a(cart) → b → a(purchase) | c
    expect(Array.from(s.code)).toEqual([2, 0, 3, 0]);
  });
});

describe('helpers', () => {
  it('splitCsv handles quotes and escaped quotes', () => {
    expect(splitCsv('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
  });
  it('parseTime reads ISO, epoch seconds and epoch ms', () => {
    expect(parseTime('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime('1767225600')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime('1767225600000')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime('yesterday')).toBeNaN();
  });
  it('parseCatalog names the bad field', () => {
    expect(() => parseCatalog({ products: [{ id: 'a' }, { id: 'b', price: '12 EUR' }] }, 'shop.json')).toThrow(/shop\.json: products\[1\]\.price must be a non-negative number/);
    expect(() => parseCatalog({ products: [{ id: 'a' }, { id: 'a' }] })).toThrow(/products\[1\]\.id 'a' is a duplicate/);
    expect(parseCatalog([{ id: 'x', category: 'tents' }]).categories).toEqual(['tents']);
  });
});
