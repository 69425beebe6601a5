#!/usr/bin/env node
// The `inpage` CLI. The published package runs dist/cli/main.js, which `npm run build` bundles
// with everything it imports, so an install needs no TypeScript tooling. A source checkout (the
// one with tools/, which package.json `files` leaves out of the package) runs the TypeScript
// through tsx instead, registered only then: edits count without a rebuild, and a stale
// dist/cli can never stand in for the sources.
import { existsSync } from 'node:fs';

const source = new URL('../tools/cli/main.ts', import.meta.url);
let entry = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = source;
} else if (!existsSync(entry)) {
  console.error('inpage: dist/cli/main.js is missing from this package (it was published without `npm run build`).');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
