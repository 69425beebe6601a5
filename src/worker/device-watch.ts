/**
 * Once ORT's GPUDevice is lost (a GPU reset, a driver crash), every WebGPU session on it is
 * dead. Watched from each WebGPU session build on, so later loads plan without WebGPU and say
 * why, instead of building on a dead device and falling back at their first run (and a forced
 * 'webgpu' load fails typed, at once). A 'destroyed' device is not a loss: ORT destroys its
 * device itself when the last WebGPU session goes (the next session gets a new one), and a page
 * has no way to lose a device but destroy(), so the lose-device test hook marks its destroy()
 * as the simulated loss it is.
 */
import type { HostState } from './state.ts';

export class DeviceWatch {
  private watched: unknown;
  private simulated = false;

  /** Start watching the device of `s`'s WebGPU runtime (idempotent per device). */
  watch(s: HostState): void {
    void s.ctx.runtime.get('webgpu')
      .then((ort) => ort.env.webgpu.device)
      .then(async (device) => {
        if (this.watched === device) return;
        this.watched = device;
        const info = await device.lost;
        if (this.watched === device) this.watched = undefined;
        if (info.reason === 'destroyed' && !this.simulated) return;
        s.webgpuLost(`the WebGPU device was lost${info.message ? ` (${info.message})` : ''}, so this worker no longer uses WebGPU`);
      })
      .catch(() => {});
  }

  /** Destroy ORT's device as a GPU reset would, and count it as a loss. */
  async simulateLoss(s: HostState): Promise<void> {
    const ort = await s.ctx.runtime.get('webgpu');
    this.simulated = true;
    (await ort.env.webgpu.device).destroy();
  }
}
