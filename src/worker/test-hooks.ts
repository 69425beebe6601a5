/**
 * Test-only levers (`createEngine({ testHooks: true })`): slow runs, crash the worker, lose the
 * WebGPU device. Off unless the engine asked for them.
 */
import { InpageError } from '../errors.ts';
import type { TestHookToWorker } from '../protocol.ts';
import type { DeviceWatch } from './device-watch.ts';
import type { HostState } from './state.ts';

export class TestLevers {
  /** Artificial delay before every run (models and pipelines). */
  runDelayMs = 0;

  constructor(private readonly scope: typeof globalThis, private readonly device: DeviceWatch) {}

  /** Waits the artificial delay, if any. */
  async delay(): Promise<void> {
    if (this.runDelayMs > 0) await new Promise((r) => setTimeout(r, this.runDelayMs));
  }

  async apply(s: HostState, hook: TestHookToWorker): Promise<null> {
    if (!s.opts.testHooks) throw new InpageError('OPTION_INVALID', 'Test hooks are off; create the engine with { testHooks: true }.');
    if (hook.type === 'delay-runs') this.runDelayMs = hook.ms;
    else if (hook.type === 'crash') {
      if (hook.how === 'close') setTimeout(() => this.scope.close(), 0);
      else setTimeout(() => { throw new Error('Inpage test hook: simulated worker crash'); }, 0);
    } else {
      // Simulates a GPU reset / driver crash: destroying the device ORT runs on makes every
      // later WebGPU run fail exactly as a real device loss does.
      if (!s.ctx.runtime.has('webgpu')) throw new InpageError('OPTION_INVALID', 'lose-device: the WebGPU runtime is not loaded in this worker.');
      await this.device.simulateLoss(s);
    }
    return null;
  }
}
