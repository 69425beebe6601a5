/**
 * The streaming event reader: header names, column order, quoting, timestamps, skipped lines,
 * and the messages a person gets for a folder, an empty file, a header alone and too many bad lines.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../tools/train/catalog.ts';
import { DEFAULT_MAX_BAD_LINES, parseTime, readEvents, splitCsv } from '../../tools/train/read-events.ts';
import { clip, quote } from '../../tools/cli/clip.ts';
import { buildSessions } from '../../tools/train/sessions.ts';

let dir = '';
const index = new Map([['a', 0], ['b', 1], ['c', 2]]);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(name: string, text: string, maxBadLines?: number) {
  const path = join(dir, name);
  await writeFile(path, text);
  return readEvents(path, index, maxBadLines === undefined ? {} : { maxBadLines });
}

/** The message a read rejects with. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the read to fail');
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

  it('matches columns by name: user,product,action,when and other spellings', async () => {
    const log = await read('names.csv', 'when,User,Product,Action\n2026-01-01T00:00:00Z,u1,a,view\n2026-01-01T00:00:09Z,u1,b,addtocart\n1767225700,u2,c,transaction\n');
    expect(log.length).toBe(3);
    expect(log.stats.header).toEqual(['when', 'User', 'Product', 'Action']);
    expect(Array.from(log.item)).toEqual([0, 1, 2]);
    expect(Array.from(log.code)).toEqual([0, 2, 3]);
    const spaced = await read('spaced.csv', '\uFEFFSession ID,sku,event-type,created_at,price\ns1,a,page view,2026-01-01T00:00:00Z,12\n');
    expect(spaced.length).toBe(1);
    // Two columns for one field: the better name wins (session_id over user_id).
    const both = await read('both.csv', 'user_id,session_id,item,event,ts\nu1,s1,a,view,1767225600\nu1,s2,b,view,1767225601\n');
    expect(both.sessions).toBe(2);
    const json = await read('names.jsonl', '{"visitor":"v1","product_id":"b","type":"click","time":"2026-01-01T00:00:00Z"}\n');
    expect(Array.from(json.code)).toEqual([1]);
  });

  it('an unknown header lists the accepted names instead of reading it as a bad event', async () => {
    const msg = await failure(read('unknown.csv', 'who,what,how,at\nu1,a,view,2026-01-01T00:00:00Z\n'));
    expect(msg).toContain("the first line 'who,what,how,at' is neither a header with known column names nor an event");
    expect(msg).toMatch(/session: session_id, session, .*user_id, user, .*visitor/);
    expect(msg).toMatch(/item: item_id, item, product_id, product, sku/);
    expect(msg).toMatch(/event: event, event_type, type, action/);
    expect(msg).toMatch(/time: timestamp, time, ts, when/);
  });

  it('cuts long values in messages the same way everywhere', async () => {
    const huge = 'x'.repeat(2_000_164);
    const log = await read('huge.csv', `session_id,item_id,event,timestamp\ns1,a,view,1767225600\ns1,${huge},view,1767225601\ns1,a,${huge},1767225602\n`);
    expect(log.stats).toMatchObject({ unknownItems: 1, unknownEvents: 1 });
    for (const example of log.stats.examples) expect(example.length).toBeLessThan(400);
    expect(log.stats.examples[0]).toContain(`item ${quote(huge)} is not in the catalogue`);
    expect(log.stats.examples[0]).toContain('(2,000,164 characters)');
    expect(clip(huge)).toBe(`${'x'.repeat(80)}… (2,000,164 characters)`);
  });

  it('a folder, an empty file and a header alone each say what is wrong', async () => {
    const folder = join(dir, 'shop');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'events.csv'), 'session_id,item_id,event,timestamp\n');
    expect(await failure(readEvents(folder, index))).toBe(`events '${folder}' is a folder; pass the event log (CSV or JSON Lines) file itself. It holds ${folder}/events.csv.`);
    expect(await failure(read('empty.csv', '\n\n'))).toMatch(/empty\.csv: the file is empty\.$/);
    expect(await failure(readEvents(join(folder, 'events.csv'), index))).toMatch(/has a header row \('session_id,item_id,event,timestamp'\) and no events under it\.$/);
    const unknown = await failure(read('other-shop.csv', 'session_id,item_id,event,timestamp\ns1,p9,view,1767225600\ns1,p8,view,1767225601\n'));
    expect(unknown).toContain('none of its 2 rows is a usable event (0 unreadable, 0 with an unknown event type, 2 with an item not in the catalogue). No item id matches the catalogue');
  });

  it('stops once more than maxBadLines lines cannot be read (default 100)', async () => {
    const good = 's1,a,view,1767225600';
    const lines = (bad: number): string => ['session_id,item_id,event,timestamp', good, ...Array.from({ length: bad }, (_, i) => `s1,a,view,not-a-time-${i}`)].join('\n');
    expect((await read('bad2.csv', lines(2), 2)).stats.badLines).toBe(2);
    expect(await failure(read('bad3.csv', lines(3), 2))).toMatch(/more than 2 lines could not be read \(stopped at line 5\)\. Fix the file, or allow more with --max-bad-lines/);
    expect(await failure(read('bad1.csv', lines(1), 0))).toMatch(/more than 0 lines could not be read/);
    expect(DEFAULT_MAX_BAD_LINES).toBe(100);
    expect((await read('bad100.csv', lines(100))).stats.badLines).toBe(100);
    await expect(read('bad101.csv', lines(101))).rejects.toThrow(/more than 100 lines could not be read/);
    // A short row is a bad line, not a crash.
    expect((await read('short.csv', `session_id,item_id,event,timestamp\n${good}\ns1,a\n`)).stats.examples[0]).toMatch(/line 3: 2 fields, expected 4/);
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
    expect(parseTime('nope-1')).toBeNaN(); // Date.parse alone says 2001
    expect(parseTime('2026-01-01 00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
  });
  it('parseTime reads the common YYYY-MM-DDTHH:MM:SS.sssZ shape as Date.parse does, edge cases included', () => {
    const shapes = ['2026-09-04T17:13:11.607Z', '2026-02-29T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-13-04T17:13:11.607Z', '2026-09-04T24:00:00.000Z',
      '2026-09-04T23:59:60.000Z', '0050-01-01T00:00:00.000Z', '0150-06-15T12:30:00.250Z', '2026-09-31T10:00:00.000Z', '2026-00-10T10:00:00.000Z', ' 2026-09-04T17:13:11.607Z ',
      '2026-09-04T17:13:11.607z', '2026-9-04T17:13:11.6070Z', '2026-09-04T17:13:1a.607Z'];
    for (const s of shapes) expect(parseTime(s), s).toEqual(Date.parse(s.trim()));
    for (let i = 0; i < 2000; i++) {
      const t = Math.floor(Math.abs(Math.sin(i + 1)) * 4e12); // 1970–2096, every day of every month
      const iso = new Date(t).toISOString();
      expect(parseTime(iso), iso).toBe(t);
    }
  });
  it('parseCatalog names the bad field', () => {
    expect(() => parseCatalog({ products: [{ id: 'a' }, { id: 'b', price: '12 EUR' }] }, 'shop.json')).toThrow(/shop\.json: products\[1\]\.price must be a non-negative number/);
    expect(() => parseCatalog({ products: [{ id: 'a' }, { id: 'a' }] })).toThrow(/products\[1\]\.id 'a' is a duplicate/);
    expect(parseCatalog([{ id: 'x', category: 'tents' }]).categories).toEqual(['tents']);
  });
});
