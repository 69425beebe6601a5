/**
 * The worker's `parseItemTable` op: a recommender's items.json parsed and validated here, off the
 * page's main thread, with the page's own validator (recommend/manifest.ts, pure) so errors are
 * the same `CATALOG_INVALID` naming the same field; the answer is columns whose buffers are
 * transferred (recommend/item-columns.ts says why that shape).
 */
import { transfer } from 'comlink';
import type { ItemTableFromWorker, ItemTableToWorker, Reply } from '../protocol.ts';
import { packItemTable } from '../recommend/item-columns.ts';
import { parseItems, parseJsonBytes } from '../recommend/manifest.ts';
import { settle } from './calls.ts';

/** Parses `req.bytes`; a reply whose typed arrays are moved to the page, not copied. */
export async function parseItemTable(req: ItemTableToWorker): Promise<Reply<ItemTableFromWorker>> {
  let buffers: ArrayBuffer[] = [];
  const reply = await settle('INTERNAL', `Parsing ${req.where}`, async () => {
    const { table, transfer: moved } = packItemTable(parseItems(parseJsonBytes(req.bytes, req.where, 'CATALOG_INVALID'), { dims: { items: req.items } }, req.where));
    buffers = moved;
    return table;
  });
  return reply.ok ? transfer(reply, buffers) : reply;
}
