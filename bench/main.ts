/** `npm run bench`: the entry; everything it runs is in run.ts (importable without running). */
import { runBench } from './run.ts';

await runBench();
