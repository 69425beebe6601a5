/**
 * Which cards of a rendered list the visitor saw: one impression per card per list, when at
 * least half of the card is on screen (the share of the IAB/MRC display viewability guideline,
 * without its one-second dwell), not on render: a card below the fold was not seen.
 */

/** Share of a card that must be on screen for an impression. */
const IMPRESSION_SHARE = 0.5;

/**
 * Watches the `[data-item]` cards of `list`; `onSeen` gets the ids of the cards that just became
 * visible (cards that appear together are reported together, each card once). Returns the
 * observer (disconnect it when the list is replaced), or undefined without IntersectionObserver.
 *
 * @example this.observer = watchImpressions(list, (ids) => ids.forEach((itemId) => rec.track({ type: 'impression', itemId })));
 */
export function watchImpressions(list: HTMLElement, onSeen: (itemIds: string[]) => void): IntersectionObserver | undefined {
  if (typeof IntersectionObserver !== 'function') return undefined;
  const pending = new Set(list.querySelectorAll<HTMLElement>('[data-item]'));
  const observer = new IntersectionObserver((entries) => {
    const itemIds: string[] = [];
    for (const entry of entries) {
      const link = entry.target as HTMLElement;
      // isIntersecting alone is true for an edge touch; the ratio check is the real threshold.
      if (!entry.isIntersecting || entry.intersectionRatio < IMPRESSION_SHARE || !pending.delete(link)) continue;
      observer.unobserve(link);
      const itemId = link.dataset['item'];
      if (itemId) itemIds.push(itemId);
    }
    if (pending.size === 0) observer.disconnect();
    if (itemIds.length > 0) onSeen(itemIds);
  }, { threshold: IMPRESSION_SHARE });
  for (const link of pending) observer.observe(link);
  return observer;
}
