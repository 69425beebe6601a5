/**
 * Seeded choices for the fuzz tests, on the project's mulberry32 (tools/onnx/prng.ts): the same
 * seed gives the same cases on every machine, so a failure names a reproducible case.
 */
import { Prng } from '../../../tools/onnx/prng.ts';

export class Gen {
  readonly next: () => number;
  constructor(seed: number) { const r = new Prng(seed); this.next = () => r.nextFloat(); }
  int(n: number): number { return Math.floor(this.next() * n); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }
  bytes(n: number): Uint8Array { return Uint8Array.from({ length: n }, () => this.int(256)); }
}
