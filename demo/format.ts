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
 * Dollars for the cost meter. Small sums keep two significant digits ($0.0014, $0.39) so the
 * figure visibly grows with every request instead of sitting at $0.00.
 */
export function dollars(value: number): string {
  if (value === 0) return '$0.00';
  if (value >= 100) return `$${Math.round(value).toLocaleString('en-US')}`;
  if (value >= 1) return `$${value.toFixed(2)}`;
  const digits = Math.min(8, Math.max(2, 1 - Math.floor(Math.log10(value))));
  return `$${value.toFixed(digits)}`;
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
