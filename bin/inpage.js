#!/usr/bin/env node
// The `inpage` CLI. A built package runs dist/cli/main.js; a source checkout runs the TypeScript
// through tsx (registered only then, so the published CLI needs no TypeScript tooling).
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
let entry = built;
if (!existsSync(built)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../tools/cli/main.ts', import.meta.url);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
