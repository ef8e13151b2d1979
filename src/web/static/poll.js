// Waiting pages (smart card, mobile signature, device approval) ask the server every few seconds
// whether the out-of-band step is done, and continue when it is, without reloading while they wait.
// No inline script: the Content-Security-Policy forbids it. Without JavaScript the page's
// "Continue" button does the same by hand.
(() => {
  var el = document.querySelector('[data-poll-url]');
  if (!el) return;
  var pollUrl = el.getAttribute('data-poll-url');
  var continueUrl = el.getAttribute('data-continue-url');
  var seconds = Number(el.getAttribute('data-poll-seconds')) || 2;
  var expiresAt = Number(el.getAttribute('data-expires-at')) || 0;
  var countdown = document.querySelector('[data-countdown]');

  function tick() {
    if (!countdown || !expiresAt) return;
    var left = Math.max(0, Math.round(expiresAt - Date.now() / 1000));
    var m = Math.floor(left / 60);
    var s = left % 60;
    countdown.textContent = m + ':' + (s < 10 ? '0' : '') + s;
  }

  function poll() {
    fetch(pollUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then((res) => (res.ok ? res.json() : { status: 'ready' }))
      .then((body) => {
        if (body.status === 'pending' && (!expiresAt || Date.now() / 1000 < expiresAt + 2)) {
          setTimeout(poll, seconds * 1000);
        } else {
          window.location.assign(continueUrl);
        }
      })
      .catch(() => {
        setTimeout(poll, seconds * 2000);
      });
  }

  tick();
  setInterval(tick, 1000);
  setTimeout(poll, seconds * 1000);
})();
