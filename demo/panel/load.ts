/**
 * Panel: the model load. A real progress bar for the download (bytes, from the engine's progress
 * callback), an indeterminate one while it compiles, then where the bytes came from: the network
 * on a first visit, the engine's model cache on a repeat visit.
 */
import type { LoadProgress, Model } from 'inpage';
import { byId, setText } from '../dom.ts';
import { bytes, ms } from '../format.ts';

const SOURCE: Record<string, string> = {
  'network': 'downloaded from this site',
  'cache-storage': 'from the model cache (Cache Storage): no model bytes downloaded',
  'indexeddb': 'from the model cache (IndexedDB): no model bytes downloaded',
  'memory': 'from the in-memory model cache',
  'bytes': 'from bytes in the page',
};

export class LoadPanel {
  private readonly bar = byId<HTMLProgressElement>('load-progress');
  private readonly label = byId('load-label');
  private startedAt = performance.now();
  private fromCache = false;
  /** What the panel said when the last load finished, for {@link restore}. */
  private last: { label: string; value: number; state: string } | undefined;

  /** A new load begins (first visit, or after a control change). */
  start(what: string): void {
    if (document.documentElement.dataset['modelState'] === 'ready') {
      this.last = { label: this.label.textContent ?? '', value: this.bar.value, state: 'ready' };
    }
    this.startedAt = performance.now();
    this.fromCache = false;
    this.bar.max = 1;
    this.bar.value = 0;
    setText(this.label, what);
    document.documentElement.dataset['modelState'] = 'loading';
  }

  progress(p: LoadProgress): void {
    if (p.phase === 'download') {
      this.fromCache = p.fromCache === true;
      if (p.total !== undefined && p.total > 0) {
        this.bar.max = p.total;
        this.bar.value = p.loaded;
      } else {
        this.bar.removeAttribute('value'); // no Content-Length: honest indeterminate bar
      }
      const of = p.total !== undefined ? ` of ${bytes(p.total)}` : '';
      setText(this.label, `${this.fromCache ? 'Reading from the model cache' : 'Downloading model'}: ${bytes(p.loaded)}${of}`);
    } else if (p.phase === 'compile') {
      this.bar.removeAttribute('value');
      setText(this.label, `Compiling the model for this device${this.fromCache ? ' (bytes from cache)' : ''}…`);
    } else {
      this.bar.max = 1;
      this.bar.value = 1;
    }
  }

  done(model: Model): void {
    this.last = undefined;
    this.bar.max = 1;
    this.bar.value = 1;
    const took = performance.now() - this.startedAt;
    setText(this.label, `Ready in ${ms(took)}: ${bytes(model.bytes)} recommender model.`);
    setText(byId('load-source'), `Source: ${SOURCE[model.source] ?? model.source}.`);
    document.documentElement.dataset['modelSource'] = model.source;
    document.documentElement.dataset['modelFromCache'] = String(this.fromCache);
    document.documentElement.dataset['modelState'] = 'ready';
  }

  /** A load that was started failed and the model before it is still in use: show it again. */
  restore(): void {
    if (this.last === undefined) return;
    this.bar.max = 1;
    this.bar.value = this.last.value;
    setText(this.label, this.last.label);
    document.documentElement.dataset['modelState'] = this.last.state;
  }

  failed(message: string): void {
    this.bar.max = 1;
    this.bar.value = 0;
    setText(this.label, `Could not load the model: ${message}`);
    document.documentElement.dataset['modelState'] = 'error';
  }

  /** Time to the first list of real recommendations, measured from navigation start. */
  first(atMs: number): void {
    setText(byId('first-reco'), `First recommendations on screen ${ms(atMs)} after navigation.`);
    document.documentElement.dataset['firstRecoMs'] = atMs.toFixed(0);
  }
}
