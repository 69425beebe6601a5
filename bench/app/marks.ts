/** User-timing marks the chat bench page sets around its measured generations; the host finds them in the trace. */
export const GENERATION_MARKS = { start: 'inpage-bench-generations-start', end: 'inpage-bench-generations-end' } as const;
