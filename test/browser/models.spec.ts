/**
 * Every test model on this project's backend (WASM in the project without a WebGPU adapter,
 * WebGPU on SwiftShader in the other), forced so the measured choice cannot move it, isolated
 * and not: outputs equal the JS reference.
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
        expect(info.reason).toContain('no WebGPU adapter (navigator.gpu.requestAdapter() returned null)');
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
        const result = await page.evaluate(async ({ name, feeds, backend }) => {
          const engine = await window.inpage.createEngine({ backend });
          const progress: string[] = [];
          const m = await engine.load({ url: `models/${name}.onnx` }, { onProgress: (p) => progress.push(p.phase) });
          const outs = [];
          for (const f of feeds) {
            const r = await window.harness.settle(async () => window.harness.fromTensors(await m.run(window.harness.toTensors(f))));
            outs.push(r);
          }
          const meta = { inputs: m.inputs, outputs: m.outputs, backend: m.backend, bytes: m.bytes, sha256: m.sha256 };
          const features = (await engine.info()).adapter?.features ?? [];
          await m.dispose();
          await engine.dispose();
          return { outs, meta, progress, features };
        }, { name: model.name, feeds, backend: expectedBackend });
        expect(result.meta.backend).toBe(expectedBackend);
        expect(result.meta.inputs.map((i) => i.name)).toEqual(model.inputSpecs.map((s) => s.name));
        expect(result.meta.outputs.map((o) => o.name)).toEqual(model.outputSpecs.map((s) => s.name));
        expect(result.meta.inputs.map((i) => i.dims)).toEqual(model.inputSpecs.map((s) => s.dims));
        expect(result.progress[0]).toBe('download');
        expect(result.progress).toContain('compile');
        expect(result.progress.at(-1)).toBe('ready');
        const needsF16 = model.name === 'multi-io' && expectedBackend === 'webgpu' && !result.features.includes('shader-f16');
        batches.forEach((b, i) => {
          const out = result.outs[i]!;
          if (needsF16) {
            // A forced backend never falls back: the float16 kernel is refused with a typed error
            // on an adapter without shader-f16 (SwiftShader); 'auto' moves it (engine.spec.ts).
            expect(out).toMatchObject({ ok: false, error: { code: 'RUN_FAILED', isInpageError: true } });
            if (!out.ok) expect(out.error.message).toContain('f16');
            return;
          }
          expect(out.ok, JSON.stringify(out).slice(0, 300)).toBe(true);
          if (out.ok) expectClose(out.value, plain(model.reference(model.inputs(b, 100 + b))));
        });
      });
    }
  });
}
