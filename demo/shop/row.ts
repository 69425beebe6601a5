/**
 * A row of recommendations ("For you", "Similar items", ...). It shows skeletons only until its
 * first answer; later answers replace the cards in place, and an answer that arrives after a newer
 * request started is dropped (a later click must not be overwritten by an earlier one).
 */
import type { RecommendOptions } from 'inpage';
import type { RecoService } from '../app/reco.ts';
import { h, setText } from '../dom.ts';
import { ms } from '../format.ts';
import type { Catalog } from './catalog.ts';
import { productCard, skeletonCard } from './card.ts';

export interface RowSpec {
  /** DOM id and the test hook (`data-strategy`). */
  id: string;
  title: string;
  /** What the row is, under the title. */
  blurb: string;
  /** Built on every refresh, so rows anchored on "the newest cart item" follow the cart. */
  options: () => RecommendOptions | undefined;
  /** Shown when there is nothing to recommend (e.g. an empty cart). */
  empty?: string;
  /**
   * Leave out what this other row shows (waiting for its answer first). "Trending" uses it so a
   * first visit, where "For you" is the trending list, does not show the same eight items twice.
   */
  distinctFrom?: RecoRow;
  /** Status shown when every item is only "trending" (no history yet), instead of the timing. */
  coldStart?: string;
}

export class RecoRow {
  readonly el: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly status: HTMLElement;
  private seq = 0;
  private hasItems = false;
  private pending: Promise<void> = Promise.resolve();
  /** Ids on screen now. */
  readonly ids = new Set<string>();
  private readonly stop: () => void;

  constructor(private readonly spec: RowSpec, private readonly reco: RecoService, private readonly catalog: Catalog, private readonly onOpen: (id: string) => void) {
    const titleId = `${spec.id}-title`;
    this.list = h('ul', { class: 'row-list', role: 'list' });
    this.status = h('p', { class: 'row-status' }, 'Loading the model…');
    this.el = h('section', { id: spec.id, class: 'row', 'aria-labelledby': titleId, 'aria-busy': 'true', 'data-strategy': spec.id, 'data-state': 'loading' },
      h('div', { class: 'row-head' },
        h('h2', { id: titleId }, spec.title),
        h('p', { class: 'row-blurb' }, spec.blurb)),
      this.list,
      this.status);
    this.list.append(...Array.from({ length: spec.options()?.k ?? 6 }, skeletonCard));
    // The service refreshes every row once per task (a new view plus its tracked view: one request per row).
    this.stop = reco.watch(this);
  }

  dispose(): void {
    this.stop();
    this.seq++;
  }

  /** Settles when the latest refresh has rendered (or failed). */
  settled(): Promise<void> {
    return this.pending;
  }

  refresh(): void {
    const mine = ++this.seq;
    const opts = this.spec.options();
    if (opts === undefined) {
      this.render([], this.spec.empty ?? 'Nothing to show yet.');
      return;
    }
    const other = this.spec.distinctFrom;
    const k = opts.k ?? 8;
    this.pending = (async () => {
      try {
        if (other !== undefined) await other.settled();
        const skip = other?.ids ?? new Set<string>();
        // The row's id is its list id: analytics events and KPIs name the row.
        const { items, ms: took, model } = await this.reco.recommend({ ...opts, listId: this.spec.id, ...(other === undefined ? {} : { k: k + skip.size }) });
        if (mine !== this.seq) return;
        const cards = items.filter((r) => !skip.has(r.itemId)).slice(0, k).flatMap((r) => {
          const p = this.catalog.byId.get(r.itemId);
          return p === undefined ? [] : [productCard(p, this.catalog, { reason: r.reason, onOpen: this.onOpen })];
        });
        // Trending needs no model run: say so instead of a "ranked" time next to zero model runs.
        const status = model ? `Ranked on this device in ${ms(took)}` : this.spec.coldStart ?? 'From popularity packaged with the model: no model run.';
        this.render(cards, cards.length === 0 ? (this.spec.empty ?? 'No matching items.') : status);
        if (cards.length > 0) this.reco.shown();
      } catch (e) {
        if (mine !== this.seq) return;
        // Keep the last good list; say what went wrong under it.
        this.el.dataset['state'] = this.hasItems ? 'ready' : 'error';
        this.el.removeAttribute('aria-busy');
        setText(this.status, `Recommendations unavailable: ${e instanceof Error ? e.message : String(e)}`);
      }
    })();
  }

  private render(cards: HTMLLIElement[], status: string): void {
    this.list.replaceChildren(...cards);
    this.ids.clear();
    for (const c of cards) this.ids.add(c.dataset['itemId'] ?? '');
    this.hasItems = cards.length > 0;
    this.el.dataset['state'] = cards.length > 0 ? 'ready' : 'empty';
    this.el.removeAttribute('aria-busy');
    setText(this.status, status);
  }
}
