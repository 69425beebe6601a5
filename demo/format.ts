/** Number formatting for the shop and the panel (one place, so units read the same everywhere). */

const money = new Map<string, Intl.NumberFormat>();

/** `€99.95` for shop prices in the catalogue's currency. */
export function price(value: number, currency: string): string {
  let f = money.get(currency);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-IE', { style: 'currency', currency });
    money.set(currency, f);
  }
  return f.format(value);
}

/**
 * Dollars for the cost card: whole dollars from $100 up and for round sums ($4,500, $150, $42),
 * cents below ($1.40, $0.87), and "under 1¢" for what would print as $0.00: never a row of
 * zeros after the point.
 */
export function dollars(value: number): string {
  if (value === 0) return '$0';
  if (value < 0.005) return 'under 1¢';
  if (value >= 100 || Math.abs(value - Math.round(value)) < 0.005) return `$${Math.round(value).toLocaleString('en-US')}`;
  return `$${value.toFixed(2)}`;
}

/** `625 kB`, `1.2 MB`, `0 bytes`. */
export function bytes(n: number): string {
  if (n === 0) return '0 bytes';
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** `0.42 ms`, `3.1 ms`, `812 ms`, `1.4 s`. */
export function ms(value: number): string {
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(1)} s`;
}

/** `1,234`. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
