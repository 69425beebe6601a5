/**
 * The demo's A/B experiment: a plain popularity list ('control') against the model ('model').
 * A real shop lets Inpage assign each visitor at random (sticky, 50/50); the demo shows the model
 * unless the visitor picks the control with the panel's switch, which sets the QA parameter
 * `?inpage-variant=` — so the shop's own tests always see the model, and events of a forced
 * variant carry no experiment parameters (QA traffic never counts).
 */
import type { ExperimentConfig } from 'inpage';

export const DEMO_EXPERIMENT: ExperimentConfig = {
  id: 'waypoint-reco',
  variants: [{ name: 'control', control: true, list: 'trending' }, { name: 'model' }],
};

/** The QA parameter's name (the SDK's default). */
export const VARIANT_PARAM = 'inpage-variant';

/** The page URL the recommender reads: the visitor's pick, else 'model'. */
export function demoPageUrl(): string {
  const u = new URL(location.href);
  if (!u.searchParams.has(VARIANT_PARAM)) u.searchParams.set(VARIANT_PARAM, 'model');
  return u.href;
}

/** The variant the switch shows. */
export function chosenVariant(): string {
  return new URL(location.href).searchParams.get(VARIANT_PARAM) ?? 'model';
}
