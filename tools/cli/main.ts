/**
 * The `inpage` command line. Importing this module does nothing; `bin/inpage.js` calls
 * {@link main} with the arguments and exits with its code.
 *
 * @example
 * // npx inpage train --catalog shop/catalog.json --events shop/events.csv --out public/reco
 * process.exitCode = await main(process.argv.slice(2));
 */
import { UsageError } from './args.ts';
import { evalCommand, genData, trainCommand, type Command, type Io } from './commands.ts';
import { demoData } from './demo-data.ts';
import { indexPages } from './knowledge-command.ts';
import { reportCommand } from './report-command.ts';
import { simulateAbCommand } from './simulate-ab-command.ts';
import { recommendCommand } from './recommend-command.ts';
import { isRecommendWorker, runRecommendWorker } from '../recommend/worker.ts';
import { updateCatalogCommand } from './update-catalog-command.ts';

const COMMANDS: Readonly<Record<string, Command>> = {
  'gen-data': genData,
  train: trainCommand,
  'update-catalog': updateCatalogCommand,
  eval: evalCommand,
  'demo-data': demoData,
  'index-pages': indexPages,
  report: reportCommand,
  'simulate-ab': simulateAbCommand,
  recommend: recommendCommand,
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'inpage — on-device recommendations: demo data, training, evaluation',
    '',
    'Usage: inpage <command> [options]    (inpage <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

const DEFAULT_IO: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

/**
 * Runs one command; resolves to the process exit code (0 ok, 1 failure, 2 usage error).
 * Never throws: errors are printed as one clear line.
 */
export async function main(argv: readonly string[], io: Io = DEFAULT_IO): Promise<number> {
  // `inpage recommend` starts its worker threads through bin/inpage.js too.
  if (isRecommendWorker()) return runRecommendWorker();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`inpage: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`inpage ${name}: ${e.message}\nUsage: ${command.usage}`);
      return 2;
    }
    io.err(`inpage ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
