/**
 * The demo's "simulated experiment" page: `simulate-ab` → `report --html` into `<out>/ab/report.html`,
 * written by `inpage demo-data` after the recommender (skipped while the package and these
 * settings are unchanged). Only the HTML is kept: the export itself is megabytes of JSONL that the
 * demo does not need (run `npx inpage simulate-ab` to get one).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simulateAb } from '../ab/simulate-ab.ts';
import { analyse } from '../report/analyse.ts';
import { parseJsonl } from '../report/read-export.ts';
import { renderHtml } from '../report/render-html.ts';
import { renderText } from '../report/render-text.ts';
import type { Io } from './commands.ts';

/** Visitors and seed of the demo's run: 3,000 visitors take ~15 s here. */
const RUN = { visitors: 3000, seed: 1, days: 14 };
const STAMP = '.stamp';

/** Writes `<out>/ab/report.html` unless it was made from this package with these settings. */
export async function writeDemoExperiment(out: string, recipe: string, io: Io, force = false): Promise<void> {
  const dir = join(out, 'ab');
  const stamp = `${recipe} ${JSON.stringify(RUN)}`;
  if (!force) {
    try {
      if ((await readFile(join(dir, STAMP), 'utf8')).trim() === stamp) return;
    } catch {
      // not made yet
    }
  }
  const t0 = performance.now();
  const sim = await simulateAb({ packageDir: join(out, 'reco'), ...RUN });
  const report = analyse(parseJsonl(sim.lines.join('\n')));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.html'), renderHtml(report, renderText(report)));
  await writeFile(join(dir, STAMP), `${stamp}\n`);
  io.out(`simulated experiment (${RUN.visitors.toLocaleString('en')} simulated visitors) → ${dir}/report.html in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
