/**
 * The marketing fixture's hero photo: a seeded, photo-like JPEG (sky gradient, three ridgelines,
 * grain), 1600×900 at quality 80, about the weight of a real landing-page hero, so LCP measures a
 * real image download and decode. Generated, not committed: the same bytes every time.
 */
import jpeg from 'jpeg-js';
import { Prng } from '../../../tools/onnx/prng.ts';

/** The project's seeded PRNG (mulberry32), so the image is identical on every machine. */
function prng(seed: number): () => number {
  const rng = new Prng(seed);
  return () => rng.nextFloat();
}

/** Encodes the hero; `width` × `height` (default 1600 × 900). */
export function heroJpeg(width = 1600, height = 900, seed = 7): Buffer {
  const rand = prng(seed);
  const data = Buffer.alloc(width * height * 4);
  // Three ridgelines as sums of sines with seeded phases, nearer ones darker and lower.
  const ridges = [0.45, 0.6, 0.75].map((base, i) => {
    const phases = [rand(), rand(), rand()].map((p) => p * Math.PI * 2);
    return { base, amp: 0.06 + i * 0.03, phases, shade: [90 - i * 25, 110 - i * 30, 130 - i * 40] as const };
  });
  for (let x = 0; x < width; x++) {
    const u = x / width;
    const tops = ridges.map((r) => (r.base + r.amp * (Math.sin(u * 6 + r.phases[0]!) * 0.6 + Math.sin(u * 17 + r.phases[1]!) * 0.3 + Math.sin(u * 41 + r.phases[2]!) * 0.1)) * height);
    for (let y = 0; y < height; y++) {
      const v = y / height;
      // Sky: warm at the horizon, deep blue above.
      let rgb: [number, number, number] = [255 * (0.55 + 0.4 * v), 180 + 60 * v, 235 - 40 * v];
      for (let i = ridges.length - 1; i >= 0; i--) {
        if (y >= tops[i]!) { const s = ridges[i]!.shade; rgb = [s[0], s[1], s[2]]; break; }
      }
      const grain = (rand() - 0.5) * 28;
      const o = (y * width + x) * 4;
      data[o] = Math.max(0, Math.min(255, rgb[0] + grain));
      data[o + 1] = Math.max(0, Math.min(255, rgb[1] + grain));
      data[o + 2] = Math.max(0, Math.min(255, rgb[2] + grain));
      data[o + 3] = 255;
    }
  }
  return jpeg.encode({ data, width, height }, 80).data;
}
