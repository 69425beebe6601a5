/**
 * Writes the test models and their index.json.
 *
 *   npx tsx tools/gen-models.ts [outDir]     (default: public/models)
 *
 * Idempotent and quick: files that are already identical are not rewritten.
 */
import { testModels } from './models/index.ts';
import { writeModels } from './models/write.ts';

const outDir = process.argv[2] ?? 'public/models';
const { index, files } = await writeModels(testModels, outDir);
const written = files.filter((f) => f.status === 'written').map((f) => f.file);
for (const e of index) console.log(`${e.file.padEnd(18)} ${String(e.bytes).padStart(9)} B  ${e.sha256.slice(0, 16)}`);
console.log(written.length === 0 ? `${outDir}: all ${files.length} files up to date` : `${outDir}: wrote ${written.join(', ')}`);
