// Waiting pages (smart card, mobile signature, device approval) reload themselves at the interval
// the server gives, without inline script (the Content-Security-Policy forbids it).
(function () {
  var el = document.querySelector('[data-poll-seconds]');
  if (!el) return;
  var seconds = Number(el.getAttribute('data-poll-seconds')) || 2;
  setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
