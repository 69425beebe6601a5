/**
 * Panel: data sent to servers, computed from the page's network log (see app/network-log.ts),
 * the model bytes the engine's worker fetched (reported by the engine, since a worker's requests
 * are not in the page's timeline), the visitor's history kept on the device, and "Forget me".
 */
import type { Engine } from 'inpage';
import { networkSummary, onNetworkChange } from '../app/network-log.ts';
import { byId, setText } from '../dom.ts';
import { bytes, count } from '../format.ts';

export class PrivacyPanel {
  private engine: Engine | undefined;
  private off: (() => void) | undefined;
  private queued = false;

  constructor(onForget: () => Promise<void>) {
    onNetworkChange(() => this.schedule());
    const button = byId<HTMLButtonElement>('forget');
    button.addEventListener('click', () => {
      button.disabled = true;
      onForget().then(
        () => setText(byId('forget-status'), 'Done: your browsing history on this device is erased, and "For you" starts over.'),
        (e: unknown) => setText(byId('forget-status'), `Could not forget: ${e instanceof Error ? e.message : String(e)}`),
      ).finally(() => { button.disabled = false; });
    });
    this.schedule();
  }

  watch(engine: Engine): void {
    this.off?.();
    this.engine = engine;
    this.off = engine.on('load', () => this.schedule());
    this.schedule();
  }

  history(events: number): void {
    setText(byId('history-count'), `Your history: ${count(events)} ${events === 1 ? 'event' : 'events'}, stored in this browser only (localStorage).`);
    document.documentElement.dataset['historyEvents'] = String(events);
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    // Idle-ish: image loads fire many entries; one redraw per half second is plenty.
    setTimeout(() => { this.queued = false; this.draw(); }, 500);
  }

  private draw(): void {
    const n = networkSummary();
    const out = byId('bytes-out');
    setText(out, bytes(n.bytesOut));
    setText(byId('glance-bytes'), bytes(n.bytesOut));
    const bad = n.bytesOut > 0 || n.uploads > 0 || n.thirdParty.length > 0;
    out.classList.toggle('bad', bad);
    byId('glance-bytes').classList.toggle('bad', bad);
    document.documentElement.dataset['bytesOut'] = String(n.bytesOut);
    document.documentElement.dataset['uploads'] = String(n.uploads);
    document.documentElement.dataset['thirdPartyHosts'] = String(n.thirdParty.length);
    const hosts = n.thirdParty.length === 0 ? `all to ${n.hosts[0] ?? 'this site'}` : `including ${n.thirdParty.length} other ${n.thirdParty.length === 1 ? 'host' : 'hosts'}: ${n.thirdParty.join(', ')}`;
    setText(byId('net-summary'),
      `From this page's network log: ${count(n.requests)} requests (${bytes(n.bytesIn)} received), ${hosts}. `
      + `${count(n.uploads)} carried data out (POST, PUT, beacons: ${bytes(n.bytesOut)} in request bodies); ${n.beacons} beacons.`);
    if (this.engine !== undefined) {
      const s = this.engine.stats();
      setText(byId('net-worker'),
        `The engine's worker fetches model files itself; those requests are in the worker's own timeline, not this page's. `
        + `The engine reports ${bytes(s.bytesDownloaded)} of model downloaded and ${bytes(s.bytesFromCache)} read from its cache.`);
    }
  }
}
