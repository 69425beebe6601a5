// Your page's own calls to Inpage, in a file on your site (no inline script, so a strict
// Content-Security-Policy needs only 'self' in script-src for it). Load it before inpage.js:
// the calls wait in Inpage.q and run once inpage.js has loaded, after the page is idle.
window.Inpage = window.Inpage || { q: [] };

// This page shows one product: record the view (stored in this browser only).
Inpage.q.push(['track', { type: 'view', itemId: 'sku-10001' }]);

// Any call of the API, with the API as argument: here, a plain list under the cards.
Inpage.q.push(async function (api) {
  const rec = await api.recommender();
  const list = document.getElementById('also-bought');
  const items = await rec.recommend({ strategy: 'complete-the-look', itemId: 'sku-10001', k: 3 });
  list.replaceChildren(...items.map(function (r) {
    const li = document.createElement('li');
    li.textContent = rec.item(r.itemId)?.title ?? r.itemId;
    return li;
  }));
});
