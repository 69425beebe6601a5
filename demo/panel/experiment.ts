/**
 * Panel: the visitor's experiment variant (with a switch), the KPIs attributed on this device
 * (`rec.kpis()`), and the GA4 e-commerce events as Inpage pushes them to `window.dataLayer` (the
 * demo has no analytics tag; a real shop's Google Tag Manager would read them from there).
 */
import type { Ga4DataLayerEvent, Recommender } from 'inpage';
import { chosenVariant, DEMO_EXPERIMENT, VARIANT_PARAM } from '../app/experiment.ts';
import { byId, h, setText } from '../dom.ts';

const SHOWN_EVENTS = 6;

export class ExperimentPanel {
  private readonly pushed: Ga4DataLayerEvent[] = [];

  constructor(private readonly rec: () => Recommender | undefined) {
    const select = byId<HTMLSelectElement>('opt-variant');
    select.replaceChildren(...DEMO_EXPERIMENT.variants.map((v) => h('option', { value: v.name }, v.name === 'control' ? 'control: trending list' : 'model: on-device recommendations')));
    select.value = chosenVariant();
    select.addEventListener('change', () => {
      const u = new URL(location.href);
      u.searchParams.set(VARIANT_PARAM, select.value);
      location.href = u.href; // a new page load: the recommender reads the variant once per list
    });
    setText(byId('exp-variant'), `${chosenVariant()} (experiment ${DEMO_EXPERIMENT.id}, chosen with the switch: QA mode, so events carry no experiment parameters; a real shop assigns visitors 50/50 at random, sticky)`);
    window.addEventListener('inpage:analytics', (e) => {
      this.pushed.push((e as CustomEvent<{ ga4: Ga4DataLayerEvent }>).detail.ga4);
      this.draw();
    });
    this.draw();
  }

  /** Re-reads the KPIs (after every tracked event). */
  draw(): void {
    const kpis = this.rec()?.kpis() ?? [];
    const rows = kpis.map((k) => h('tr', {},
      h('th', { scope: 'row' }, k.variant),
      h('td', {}, String(k.clicks)), h('td', {}, String(k.addToCarts)), h('td', {}, String(k.purchases)),
      h('td', {}, Object.entries(k.revenue).map(([c, v]) => `${v.toFixed(2)} ${c}`).join(', ') || '0')));
    byId('exp-kpis').replaceChildren(...rows);
    setText(byId('exp-kpis-note'), kpis.length === 0 ? 'No attributed activity yet: open a recommended product, add it to the cart, check out.' : 'Attributed on this device to the list that showed each item (24 h, last touch).');
    document.documentElement.dataset['layerEvents'] = String(this.pushed.length);
    byId('exp-events').replaceChildren(...this.pushed.slice(-SHOWN_EVENTS).reverse().map((g) => h('li', {}, h('code', {}, JSON.stringify(g)))));
  }
}
