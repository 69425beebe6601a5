/**
 * Every test model, on the backend this project lands on (WASM without a WebGPU adapter,
 * WebGPU on SwiftShader with one), isolated and not: outputs equal the JS reference.
 */
import { test, expect, plain, expectClose } from './fixtures.ts';
import { testModels } from '../../tools/models/index.ts';

for (const isolated of [false, true]) {
  test.describe(isolated ? 'cross-origin isolated' : 'not isolated', () => {
    test('auto picks the expected backend and says why', async ({ openHarness, expectedBackend }) => {
      const page = await openHarness({ isolated });
      const info = await page.evaluate(async () => {
        const engine = await window.inpage.createEngine();
        const i = await engine.info();
        await engine.dispose();
        return i;
      });
      expect(info.backend).toBe(expectedBackend);
      expect(info.crossOriginIsolated).toBe(isolated);
      expect(info.threads).toBe(isolated ? Math.min(4, await page.evaluate(() => navigator.hardwareConcurrency)) : 1);
      expect(info.ortVersion).toBe('1.30.0');
      if (expectedBackend === 'wasm') {
        expect(info.reason).toContain('no WebGPU adapter');
        expect(info.adapter).toBeUndefined();
      } else {
        expect(info.adapter?.architecture).toBe('swiftshader');
        expect(info.reason).toContain('WebGPU adapter');
      }
    });

    for (const model of testModels) {
      test(`${model.name}: outputs equal the JS reference`, async ({ openHarness, expectedBackend }) => {
        const page = await openHarness({ isolated });
        const batches = [1, 3];
        const feeds = batches.map((b) => plain(model.inputs(b, 100 + b)));
        const result = await page.evaluate(async ({ name, feeds }) => {
          const engine = await window.inpage.createEngine();
          const progress: string[] = [];
          const m = await engine.load({ url: `models/${name}.onnx` }, { onProgress: (p) => progress.push(p.phase) });
          const outs = [];
          for (const f of feeds) outs.push(window.harness.fromTensors(await m.run(window.harness.toTensors(f))));
          const meta = { inputs: m.inputs, outputs: m.outputs, backend: m.backend, bytes: m.bytes, sha256: m.sha256 };
          await m.dispose();
          await engine.dispose();
          return { outs, meta, progress };
        }, { name: model.name, feeds });
        // multi-io casts to float16, which SwiftShader's WebGPU cannot run: the warm-up run at
        // load moves it to WASM (engine.spec.ts checks the reason).
        expect(result.meta.backend).toBe(model.name === 'multi-io' ? 'wasm' : expectedBackend);
        expect(result.meta.inputs.map((i) => i.name)).toEqual(model.inputSpecs.map((s) => s.name));
        expect(result.meta.outputs.map((o) => o.name)).toEqual(model.outputSpecs.map((s) => s.name));
        expect(result.meta.inputs.map((i) => i.dims)).toEqual(model.inputSpecs.map((s) => s.dims));
        expect(result.progress[0]).toBe('download');
        expect(result.progress).toContain('compile');
        expect(result.progress.at(-1)).toBe('ready');
        batches.forEach((b, i) => expectClose(result.outs[i]!, plain(model.reference(model.inputs(b, 100 + b)))));
      });
    }
  });
}
