/**
 * Remembers measured backend verdicts across visits (IndexedDB, which workers have; memory when
 * it is unavailable), so the next visit skips the measurement.
 */
import { IdbDatabase } from '../caches/idb.ts';
import type { BackendMeasurement } from './measure.ts';

const STORE = 'verdicts';

export class VerdictStore {
  private db: Promise<IdbDatabase | undefined> | undefined;
  private readonly memory = new Map<string, BackendMeasurement>();

  constructor(private readonly name: string, private readonly factory: IDBFactory | undefined = globalThis.indexedDB) {}

  private open(): Promise<IdbDatabase | undefined> {
    this.db ??= this.factory
      ? IdbDatabase.open(this.factory, this.name, [STORE]).catch(() => undefined)
      : Promise.resolve(undefined);
    return this.db;
  }

  async get(key: string): Promise<BackendMeasurement | undefined> {
    const mem = this.memory.get(key);
    if (mem) return mem;
    const db = await this.open();
    return db ? db.get<BackendMeasurement>(STORE, key).catch(() => undefined) : undefined;
  }

  async set(key: string, verdict: BackendMeasurement): Promise<void> {
    this.memory.set(key, verdict);
    const db = await this.open();
    await db?.write([{ op: 'put', store: STORE, key, value: verdict }]).catch(() => {});
  }

  async clear(): Promise<void> {
    this.memory.clear();
    const db = await this.open();
    await db?.write([{ op: 'clear', store: STORE }]).catch(() => {});
  }
}
