/**
 * A seeded subscribers' histories file for the `inpage recommend` benchmark, written as a stream
 * (any size in flat memory): each subscriber 0–24 events (a few with none usable: only
 * impressions) over the package's items, grouped by subscriber as the command expects.
 *
 *   npx tsx bench/newsletter-histories.ts --reco public/reco --subscribers 1000000 --out bench/.data/histories-1m.csv
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Prng } from '../tools/onnx/prng.ts';

const EVENTS = ['view', 'view', 'view', 'view', 'click', 'click', 'add_to_cart', 'purchase'] as const;

/** Writes `subscribers` histories over the item ids of `reco/items.json` to `out`. */
export async function writeHistories(reco: string, subscribers: number, out: string, seed = 7): Promise<void> {
  const ids = (JSON.parse(await readFile(`${reco}/items.json`, 'utf8')) as { ids: string[] }).ids;
  const prng = new Prng(seed); // seeded: the same file on every machine
  const rand = (): number => prng.nextFloat();
  await mkdir(dirname(out), { recursive: true });
  const file = createWriteStream(out);
  file.write('subscriber_id,item_id,event,timestamp\n');
  const t0 = Date.UTC(2026, 8, 1);
  let buf = '';
  for (let s = 0; s < subscribers; s++) {
    const id = `sub-${String(s).padStart(8, '0')}`;
    const n = Math.floor(rand() * 25);
    let t = t0 + Math.floor(rand() * 60 * 86_400_000);
    // Browsing stays near one part of the catalogue, as real sessions do.
    let at = Math.floor(rand() * ids.length);
    for (let e = 0; e < n; e++) {
      if (rand() < 0.3) at = Math.floor(rand() * ids.length);
      else at = (at + 1 + Math.floor(rand() * 20)) % ids.length;
      t += Math.floor(rand() * 3_600_000);
      const type = s % 50 === 0 ? 'impression' : EVENTS[Math.floor(rand() * EVENTS.length)]!;
      buf += `${id},${ids[at]},${type},${new Date(t).toISOString()}\n`;
    }
    if (n === 0) buf += `${id},${ids[0]},impression,${new Date(t).toISOString()}\n`;
    if (buf.length > 1 << 16) {
      if (!file.write(buf)) await once(file, 'drain');
      buf = '';
    }
  }
  file.end(buf);
  await once(file, 'close');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { reco: { type: 'string' }, subscribers: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } } });
  await writeHistories(values.reco ?? 'public/reco', Number(values.subscribers ?? 100_000), values.out ?? 'bench/.data/histories.csv', Number(values.seed ?? 7));
}
