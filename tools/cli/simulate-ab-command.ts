/**
 * `inpage simulate-ab --out export.jsonl [--package public/reco] [--visitors 3000] [--days 14] [--seed 1] [--experiment exp.json]`:
 * simulated shoppers through control and model variants (tools/ab/simulate-ab.ts), written as a
 * dataLayer JSONL export marked simulated, for `inpage report`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { DEFAULT_AB, simulateAb } from '../ab/simulate-ab.ts';
import type { ExperimentConfig } from '../../src/experiments/config.ts';
import { intFlag, optional, parseFlags, required } from './args.ts';
import type { Command } from './commands.ts';

/** The `simulate-ab` command. */
export const simulateAbCommand: Command = {
  summary: 'simulate shoppers through an A/B experiment (control vs model) and write an export for `inpage report` (labelled simulated)',
  usage: 'inpage simulate-ab --out <export.jsonl> [--package <public/reco>] [--visitors <3000>] [--days <14>] [--seed <1>] [--experiment <experiment.json>]\n' +
    `  default experiment: ${JSON.stringify(DEFAULT_AB)}`,
  async run(argv, io) {
    const v = parseFlags(argv, { out: { type: 'string' }, package: { type: 'string' }, visitors: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' }, experiment: { type: 'string' } });
    const out = required(v, 'out');
    const expPath = optional(v, 'experiment');
    const t0 = Date.now();
    const r = await simulateAb({
      packageDir: optional(v, 'package') ?? 'public/reco',
      visitors: intFlag(v, 'visitors', 10, 1_000_000) ?? 3000,
      days: intFlag(v, 'days', 1, 365) ?? 14,
      seed: intFlag(v, 'seed', 0, 2 ** 32 - 1) ?? 1,
      ...(expPath === undefined ? {} : { experiment: JSON.parse(await readFile(expPath, 'utf8')) as ExperimentConfig }),
    });
    await writeFile(out, `${r.lines.join('\n')}\n`);
    io.out(`wrote ${out}: ${r.events.toLocaleString('en')} events of ${r.visitors.toLocaleString('en')} simulated visitors in ${((Date.now() - t0) / 1000).toFixed(1)} s (SIMULATED: the demo's shoppers, not real visitors)`);
    io.out(`next: npx inpage report --events ${out} --html report.html`);
    return 0;
  },
};
