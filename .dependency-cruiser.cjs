/**
 * Layering rules for src/ (issue #13), checked in CI by `npm run lint:deps` (part of `npm test`).
 * The page side (client/) and the worker side (worker/) meet only in protocol.ts and shared pure
 * modules; nothing in src/ imports in a loop. Type-only imports count: a type that crosses the
 * boundary belongs in protocol.ts.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import loop makes load order matter and hides which module owns what.',
      from: { path: '^src' },
      to: { circular: true },
    },
    {
      name: 'client-not-to-worker',
      severity: 'error',
      comment: 'The page side talks to the worker only through protocol.ts (the wire contract).',
      from: { path: '^src/client/' },
      to: { path: '^src/(worker|backends|scheduling/(executor|batcher|serial-queue))' },
    },
    {
      name: 'worker-not-to-client',
      severity: 'error',
      comment: 'The worker side never imports page-side code.',
      from: { path: '^src/(worker|backends)/' },
      // Except the recommender's pure item-table validator and its column packing: the worker
      // parses large items.json files with the page's own checks (worker/item-table.ts).
      to: { path: '^src/(client|embed|recommend)/', pathNot: '^src/recommend/(manifest|weights|item-columns)\\.ts$' },
    },
    {
      name: 'domain-only-public-engine',
      severity: 'error',
      comment: 'The recommender and the embed build on the public engine API, not on its insides.',
      from: { path: '^src/(recommend|embed)/' },
      to: { path: '^src/(worker|backends|scheduling)/' },
    },
    {
      name: 'protocol-is-types-only',
      severity: 'error',
      comment: 'protocol.ts owns every message type and imports only types from pure modules, never from a side.',
      from: { path: '^src/protocol\\.ts$' },
      to: { path: '^src/(client|worker|backends|scheduling|caches|routing|recommend|embed)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)' },
  },
};
