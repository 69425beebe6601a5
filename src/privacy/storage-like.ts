/** The part of the Web Storage API Inpage uses (injectable for tests and other hosts). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
