/** What every page of the shop gets, and what it gives back to the router. */
import type { RecEventType } from 'inpage';
import type { RecoService } from '../app/reco.ts';
import type { Cart } from '../shop/cart.ts';
import type { Catalog } from '../shop/catalog.ts';
import { RecoRow, type RowSpec } from '../shop/row.ts';

export interface ViewContext {
  catalog: Catalog;
  reco: RecoService;
  cart: Cart;
  /** Records a shopper event on this device (and re-ranks every visible row). */
  track(type: RecEventType, itemId: string): void;
  /** Adds to the cart and tracks it. */
  addToCart(itemId: string): void;
}

export interface View {
  el: HTMLElement;
  /** Where keyboard focus goes after navigating here (the page heading). */
  heading: HTMLElement;
  dispose(): void;
}

/** A recommendation row wired to the shop: opening a card tracks a click. */
export function row(ctx: ViewContext, spec: RowSpec): RecoRow {
  // The click names its row, so carts and orders of the item are attributed to it (KPIs, dataLayer).
  return new RecoRow(spec, ctx.reco, ctx.catalog, (id) => ctx.reco.track({ type: 'click', itemId: id, listId: spec.id }, false));
}
