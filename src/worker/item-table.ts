/**
 * The worker's `parseItemTable` op: a recommender's items.json hashed, parsed and validated here,
 * off the page's main thread, with the page's own validator (recommend/manifest.ts, pure) so errors are
 * the same `CATALOG_INVALID` naming the same field; the answer is columns whose buffers are
 * transferred (recommend/item-columns.ts says why that shape).
 */
import { transfer } from 'comlink';
import { canHash, sha256Hex } from '../caches/hash.ts';
import { InpageError } from '../errors.ts';
import type { ItemTableFromWorker, ItemTableToWorker, Reply } from '../protocol.ts';
import { packItemTable } from '../recommend/item-columns.ts';
import { parseItems, parseJsonBytes } from '../recommend/manifest.ts';
import { settle } from './calls.ts';

/** Checks `req.bytes` against `req.sha256` and parses them; a reply whose typed arrays are moved to the page, not copied. */
export async function parseItemTable(req: ItemTableToWorker): Promise<Reply<ItemTableFromWorker>> {
  let buffers: ArrayBuffer[] = [];
  const reply = await settle('INTERNAL', `Parsing ${req.where}`, async () => {
    // Hashed here too, not on the page: SubtleCrypto's digest of 30 MB was a 200 ms page task.
    if (req.sha256 !== undefined && canHash()) {
      const actual = await sha256Hex(req.bytes);
      if (actual !== req.sha256) {
        throw new InpageError('INTEGRITY_MISMATCH', `${req.where} does not match its manifest: expected SHA-256 ${req.sha256}, got SHA-256 ${actual}.`, { url: req.where, expected: `SHA-256 ${req.sha256}`, actual: `SHA-256 ${actual}` });
      }
    }
    const { table, transfer: moved } = packItemTable(parseItems(parseJsonBytes(req.bytes, req.where, 'CATALOG_INVALID'), { dims: { items: req.items } }, req.where));
    buffers = moved;
    return table;
  });
  return reply.ok ? transfer(reply, buffers) : reply;
}
