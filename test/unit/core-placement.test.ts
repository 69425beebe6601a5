/**
 * Worker placement (`{ worker: name }`): a model loaded under a name lives in a worker of its
 * own, shared by everything loaded under that name and stopped with the last of it; the main
 * worker's crash does not touch it. The real host over MessageChannels, the mlp reference.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EngineImpl } from '../../src/client/engine.ts';
import type { Tensors } from '../../src/tensor.ts';
import { createHost } from '../../src/worker/host.ts';
import { getTestModel } from '../../tools/models/index.ts';
import { rejected } from './helpers/catch.ts';
import { portWorker, type PortWorker } from './helpers/port-worker.ts';

const mlp = getTestModel('mlp');
const workers: PortWorker[] = [];
const engines: EngineImpl[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.dispose();
  for (const w of workers.splice(0)) w.close();
});

function engine(): { engine: EngineImpl; spawned: PortWorker[] } {
  const spawned: PortWorker[] = [];
  const e = new EngineImpl({ testHooks: true }, () => {
    const w = portWorker(createHost());
    workers.push(w);
    spawned.push(w);
    return w;
  });
  engines.push(e);
  return { engine: e, spawned };
}

function feeds(batch: number, seed: number): Tensors {
  const x = mlp.inputs(batch, seed)['x']!;
  return { x: { type: 'float32', dims: [...x.dims], data: new Float32Array(x.data as Float32Array) } };
}

function expectReference(got: Tensors, batch: number, seed: number): void {
  const want = mlp.reference(mlp.inputs(batch, seed))['probs']!.data as Float32Array;
  const g = got['probs']!.data as Float32Array;
  expect(g.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(g[i]! - want[i]!)).toBeLessThan(1e-5);
}

describe('worker placement', () => {
  it('a named worker is a second worker; same-name loads share it; it stops with its last model', async () => {
    const { engine: e, spawned } = engine();
    await e.connection();
    expect(spawned).toHaveLength(1);
    const a = await e.load({ bytes: mlp.bytes() }, { worker: 'side' });
    const b = await e.load({ bytes: mlp.bytes() }, { worker: 'side' });
    const main = await e.load({ bytes: mlp.bytes() });
    expect(spawned).toHaveLength(2);
    expectReference(await a.run(feeds(2, 1)), 2, 1);
    expectReference(await b.run(feeds(1, 2)), 1, 2);
    expectReference(await main.run(feeds(3, 3)), 3, 3);
    await a.dispose();
    expect(spawned[1]!.terminated).toBe(0);
    await b.dispose();
    expect(spawned[1]!.terminated).toBe(1);
    expect(spawned[0]!.terminated).toBe(0);
    expectReference(await main.run(feeds(1, 4)), 1, 4);
  });

  it('a crash of the main worker does not touch a model in its own worker', async () => {
    const { engine: e, spawned } = engine();
    await e.connection(); // spawned[0]: the main worker
    const own = await e.load({ bytes: mlp.bytes() }, { worker: 'own' });
    const main = await e.load({ bytes: mlp.bytes() });
    e.testHooks!.killWorker();
    expectReference(await own.run(feeds(2, 5)), 2, 5);
    expect(spawned[1]!.terminated).toBe(0);
    // The main worker restarts on its next call and reloads its model.
    expectReference(await main.run(feeds(1, 6)), 1, 6);
    expect(spawned).toHaveLength(3);
  });

  it('a failed load into a named worker stops that worker', async () => {
    const { engine: e, spawned } = engine();
    const err = await rejected(e.load({ bytes: new Uint8Array([1, 2, 3]) }, { worker: 'broken' }));
    expect(err.code).toBe('MODEL_INVALID');
    expect(spawned.at(-1)!.terminated).toBe(1);
  });

  it('rejects a worker name that is not a short non-empty string with OPTION_INVALID', async () => {
    const { engine: e } = engine();
    for (const worker of ['', 'x'.repeat(65), 5 as unknown as string]) {
      const err = await rejected(e.load({ bytes: mlp.bytes() }, { worker }));
      expect(err.code).toBe('OPTION_INVALID');
      expect(err.message).toContain('worker must be');
    }
    expect((await rejected(e.pipeline('feature-extraction', 'x/y', { worker: '' }))).code).toBe('OPTION_INVALID');
  });
});
