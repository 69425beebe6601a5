/**
 * KPIs on the device: attribution of carts and purchases to the list and experiment variant that
 * showed the item, and GA4 e-commerce events handed to the site's analytics. Pure on import.
 */
export { toGa4, type ExposureEvent, type Ga4DataLayerEvent, type InpageEvent, type InpageEventItem, type InpageEventType } from './events.ts';
export { KpiLedger, resolveAttribution, type AttributionOptions, type KpiEntry, type KpiKind, type ListContext, type VariantKpis } from './ledger.ts';
export { checkKpiFields, createKpiTracker, type AnalyticsOptions, type KpiTracker, type KpiTrackFields } from './tracker.ts';
