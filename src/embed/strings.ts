/**
 * The words the element shows besides catalog text: the list's label and the "Why these?"
 * disclosure. English, German, French and Spanish ship; a page adds or overrides languages with
 * `defineRecommendationsElement({ strings: { nl: { … } } })`. The language is the element's own
 * `lang` (inherited from the nearest ancestor with one, as the page's `<html lang>`), matched
 * exactly first (`de-CH`), then by its primary subtag (`de`), then English.
 *
 * @example stringsFor('de-AT').why // 'Warum diese Vorschläge?'
 */

/** Every string of the element. */
export interface ElementStrings {
  /** Accessible name of a list without a heading. */
  listLabel: string;
  /** The disclosure's summary. */
  why: string;
  /** Body of the disclosure on a personalised list. */
  personalised: string;
  /** Body of the disclosure on a list that could be personalised but is not. */
  notPersonalised: string;
  /** The button that erases the visitor's history. */
  forget: string;
  /** Status while erasing. */
  forgetting: string;
  /** Status after a verified erasure. */
  forgotten: string;
  /** Status when the erasure could not be completed (it never claims success it did not check). */
  forgetFailed: string;
}

/** Strings per language tag (lower case). */
export type StringTable = Record<string, Partial<ElementStrings>>;

const EN: ElementStrings = {
  listLabel: 'Recommended products',
  why: 'Why these?',
  personalised: 'These suggestions are personalised on this device from your recent activity in this shop: products you viewed, opened, put in your cart or searched for. It is stored in this browser only and nothing of it is sent to the shop\u2019s servers.',
  notPersonalised: 'These suggestions are not personalised: they are popular products in this shop.',
  forget: 'Forget my history',
  forgetting: 'Erasing your history\u2026',
  forgotten: 'Your history on this device has been erased.',
  forgetFailed: 'Your history could not be erased completely. Please try again.',
};

/** The shipped languages. */
export const ELEMENT_STRINGS: Readonly<Record<string, ElementStrings>> = {
  en: EN,
  de: {
    listLabel: 'Empfohlene Produkte',
    why: 'Warum diese Vorschläge?',
    personalised: 'Diese Vorschläge werden auf diesem Gerät aus Ihren letzten Aktivitäten in diesem Shop personalisiert: Produkte, die Sie angesehen, geöffnet, in den Warenkorb gelegt oder gesucht haben. Die Daten bleiben in diesem Browser; nichts davon wird an die Server des Shops gesendet.',
    notPersonalised: 'Diese Vorschläge sind nicht personalisiert: Es sind beliebte Produkte dieses Shops.',
    forget: 'Meinen Verlauf löschen',
    forgetting: 'Ihr Verlauf wird gelöscht\u2026',
    forgotten: 'Ihr Verlauf auf diesem Gerät wurde gelöscht.',
    forgetFailed: 'Ihr Verlauf konnte nicht vollständig gelöscht werden. Bitte versuchen Sie es erneut.',
  },
  fr: {
    listLabel: 'Produits recommandés',
    why: 'Pourquoi ces suggestions\u202f?',
    personalised: 'Ces suggestions sont personnalisées sur cet appareil à partir de votre activité récente dans cette boutique\u202f: produits consultés, ouverts, ajoutés au panier ou recherchés. Ces données restent dans ce navigateur\u202f; rien n\u2019est envoyé aux serveurs de la boutique.',
    notPersonalised: 'Ces suggestions ne sont pas personnalisées\u202f: ce sont des produits populaires de cette boutique.',
    forget: 'Effacer mon historique',
    forgetting: 'Effacement de votre historique\u2026',
    forgotten: 'Votre historique sur cet appareil a été effacé.',
    forgetFailed: 'Votre historique n\u2019a pas pu être entièrement effacé. Veuillez réessayer.',
  },
  es: {
    listLabel: 'Productos recomendados',
    why: '¿Por qué estas sugerencias?',
    personalised: 'Estas sugerencias se personalizan en este dispositivo a partir de tu actividad reciente en esta tienda: productos que has visto, abierto, añadido al carrito o buscado. Los datos se quedan en este navegador; no se envía nada a los servidores de la tienda.',
    notPersonalised: 'Estas sugerencias no están personalizadas: son productos populares de esta tienda.',
    forget: 'Borrar mi historial',
    forgetting: 'Borrando tu historial\u2026',
    forgotten: 'Tu historial en este dispositivo se ha borrado.',
    forgetFailed: 'No se ha podido borrar todo tu historial. Inténtalo de nuevo.',
  },
};

/**
 * The strings for `lang` and the language they are in (for the `lang` attribute, so a screen
 * reader pronounces an English fallback as English). Missing keys of an override come from the
 * shipped language, then from English.
 */
export function stringsFor(lang: string | undefined, overrides: StringTable = {}): { strings: ElementStrings; lang: string } {
  const tag = (lang ?? '').trim().toLowerCase();
  const primary = tag.split('-')[0] ?? '';
  for (const candidate of [tag, primary]) {
    if (!candidate) continue;
    const shipped = ELEMENT_STRINGS[candidate];
    const own = overrides[candidate];
    if (shipped || own) return { strings: { ...EN, ...(ELEMENT_STRINGS[primary] ?? {}), ...shipped, ...overrides[primary], ...own }, lang: candidate };
  }
  return { strings: { ...EN, ...overrides['en'] }, lang: 'en' };
}
