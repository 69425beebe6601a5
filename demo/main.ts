/**
 * Waypoint, the Inpage demo shop. Everything comes from the public package ('inpage'):
 * the engine, the recommender, the cost tables. This file wires the shop (catalogue, cart,
 * routes) to the recommendation service and the numbers panel.
 */
import { installNetworkLog } from './app/network-log.ts';
import { InpageError, type Engine, type RecEventType } from 'inpage';
import { RecoService } from './app/reco.ts';
import { isRoute, parseRoute, homeHash, type Route } from './app/router.ts';
import { readSettings, writeSettings } from './app/settings.ts';
import { byId, setText } from './dom.ts';
import { showBackend, showBackendError } from './panel/backend.ts';
import { bindControls } from './panel/controls.ts';
import { CostPanel } from './panel/cost.ts';
import { LatencyPanel } from './panel/latency.ts';
import { LoadPanel } from './panel/load.ts';
import { ExperimentPanel } from './panel/experiment.ts';
import { PrivacyPanel } from './panel/privacy.ts';
import { Cart } from './shop/cart.ts';
import { loadCatalog, type Catalog } from './shop/catalog.ts';
import { mountAssistant } from './assistant/panel.ts';
import { cartView } from './views/cart.ts';
import { helpView } from './views/help.ts';
import { homeSkeleton, homeView, type HomeView } from './views/home.ts';
import { productView } from './views/product.ts';
import type { View, ViewContext } from './views/view.ts';

// First, before anything can send: the privacy figure is measured, so the meter must be running.
installNetworkLog();

const message = (e: unknown): string => (e instanceof InpageError ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e));

const settings = readSettings();
const loadPanel = new LoadPanel();
const latency = new LatencyPanel();
const cost = new CostPanel();
const watchedForSwitches = new WeakSet<Engine>();
// The forget button calls the service created just below (only on a click, long after start-up).
const privacy = new PrivacyPanel(() => reco.forget());
loadPanel.start('Starting the engine (a Web Worker)…');

// The GA4 events Inpage hands out land here, as on a shop with Google Tag Manager.
(window as { dataLayer?: unknown[] }).dataLayer ??= [];
const reco: RecoService = new RecoService(settings, {
  engine: (engine) => {
    latency.watch(engine);
    privacy.watch(engine);
    loadPanel.start('Loading the recommender model…');
  },
  progress: (p) => loadPanel.progress(p),
  session: (s) => {
    loadPanel.done(s.model);
    latency.model(s.model);
    showBackend(s.info, s.model, s.settings);
    document.documentElement.dataset['backend'] = s.model.backend;
    if (!watchedForSwitches.has(s.engine)) {
      watchedForSwitches.add(s.engine);
      // A fallback after start-up (e.g. a lost GPU device) changes the answer to "which backend".
      s.engine.on('backend', () => { void s.engine.info().then((info) => { if (reco.session?.engine === s.engine) showBackend(info, reco.session.model, reco.session.settings); }); });
    }
  },
  restored: (s) => {
    latency.watch(s.engine);
    privacy.watch(s.engine);
    loadPanel.restore();
    latency.model(s.model);
    showBackend(s.info, s.model, s.settings);
    document.documentElement.dataset['backend'] = s.model.backend;
  },
  error: (e, fatal) => {
    if (!fatal) return; // the controls report their own failures and keep the old session
    loadPanel.failed(message(e));
    showBackendError(message(e));
    console.error(e);
  },
  history: (n) => { privacy.history(n); experiment.draw(); },
  first: (ms) => loadPanel.first(ms),
  pageWait: (ms) => latency.pageWait(ms),
  answered: (total, withoutModel) => {
    latency.answered(total, withoutModel);
    cost.answered(total);
  },
});
// For the console (and the panel test, which calls the recommender directly to check the panel's
// figures): `waypoint.session` is the current engine, model and recommender.
declare global { interface Window { waypoint?: { readonly session: RecoService['session'] } } }
window.waypoint = { get session() { return reco.session; } };
// After `reco`: the card reads its recommender (the history listener above only runs once a session opened).
const experiment = new ExperimentPanel(() => reco.session?.rec);

bindControls(settings, async (next) => {
  await reco.apply(next);
  writeSettings(next);
});

mountAssistant(() => reco.session?.engine);

// ---- the shop ----
const cart = new Cart();
const cartCount = byId('cart-count');
const showCount = (): void => setText(cartCount, String(cart.count));
cart.onChange(showCount);
showCount();

const viewRoot = byId('view');
viewRoot.replaceChildren(homeSkeleton());

function contextFor(catalog: Catalog): ViewContext {
  return {
    catalog, reco, cart,
    // A click is on a card link: the product page it opens asks for its own rows.
    track: (type: RecEventType, itemId: string) => reco.track({ type, itemId }, type !== 'click'),
    addToCart: (itemId: string) => {
      cart.add(itemId);
      reco.track({ type: 'add_to_cart', itemId });
    },
  };
}

function startRouter(catalog: Catalog): void {
  const ctx = contextFor(catalog);
  const search = byId<HTMLInputElement>('search');
  let view: View | undefined;
  let home: HomeView | undefined;
  let first = true;

  const render = (route: Route): void => {
    if (route.kind === 'home' && home !== undefined && view === home) {
      home.update(route);
    } else {
      view?.dispose();
      home = undefined;
      if (route.kind === 'home') view = home = homeView(ctx, route);
      else if (route.kind === 'product') view = productView(ctx, route.id);
      else if (route.kind === 'help') view = helpView(route.page, route.section);
      else view = cartView(ctx);
      viewRoot.replaceChildren(view.el);
      if (!first) {
        window.scrollTo(0, 0);
        // Screen-reader and keyboard users land on the new page's heading, not the old link.
        view.heading.focus({ preventScroll: true });
      }
    }
    if (document.activeElement !== search) search.value = route.kind === 'home' ? route.query : '';
    const p = route.kind === 'product' ? catalog.byId.get(route.id) : undefined;
    document.title = `${p !== undefined ? `${p.title} — ` : route.kind === 'cart' ? 'Cart — ' : ''}Waypoint, an Inpage demo shop`;
    first = false;
  };
  const onHash = (): void => { if (isRoute(location.hash)) render(parseRoute(location.hash)); };
  window.addEventListener('hashchange', onHash);

  // Search as you type: replace the history entry per keystroke, push one when the query starts.
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const current = parseRoute(location.hash);
      const hash = homeHash(current.kind === 'home' ? current.category : undefined, search.value.trim());
      if (current.kind === 'home') { history.replaceState(history.state, '', hash); render(parseRoute(hash)); } else location.hash = hash;
    }, 150);
  });
  byId('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    // A submitted query is one the shopper meant: keep it among their recent searches (for-you).
    const q = search.value.trim();
    if (q !== '') void reco.search(q, { k: 1 }).catch(() => {});
    document.getElementById('grid')?.querySelector('a')?.focus();
  });
  render(parseRoute(isRoute(location.hash) ? location.hash : '#/'));
}

// Skip links and "Numbers" jump to landmarks without touching the hash (the hash is the route).
for (const a of document.querySelectorAll<HTMLAnchorElement>('a[href="#main"], a[href="#panel"]')) {
  a.addEventListener('click', (e) => {
    e.preventDefault();
    const target = byId(a.getAttribute('href')!.slice(1));
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'start' });
  });
}

loadCatalog('./shop/catalog.json').then(startRouter, (e: unknown) => {
  viewRoot.replaceChildren();
  setText(viewRoot, `The shop could not load its catalogue: ${message(e)}`);
  console.error(e);
});
