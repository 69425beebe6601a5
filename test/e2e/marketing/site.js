// The site's own script: a disclosure for the FAQ (the click that INP measures).
const toggle = document.getElementById('faq-toggle');
const answer = document.getElementById('faq-answer');
toggle.addEventListener('click', () => {
  const open = toggle.getAttribute('aria-expanded') !== 'true';
  toggle.setAttribute('aria-expanded', String(open));
  answer.hidden = !open;
});
