// ssg-claims console: what pages do better with script. Every page works without it.
(function () {
  'use strict';

  // "Pick all" on a queue: ticks every row's checkbox of the form it names (or clears
  // them when all are ticked already).
  document.querySelectorAll('[data-pick-all]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var boxes = document.querySelectorAll(
        'input[type=checkbox][form="' + button.getAttribute('data-pick-all') + '"][name^="pick_"]');
      var all = Array.prototype.every.call(boxes, function (box) { return box.checked; });
      boxes.forEach(function (box) { box.checked = !all; });
    });
  });

  // The counts of what waits (menu badges, the first screen's tiles), kept fresh.
  if (!document.querySelector('[data-waiting]')) { return; }
  var news = document.getElementById('waiting-news');
  var requests = null;

  function show(counts) {
    document.querySelectorAll('[data-waiting]').forEach(function (element) {
      var key = element.getAttribute('data-waiting');
      if (!(key in counts)) { return; }
      var value = counts[key];
      if (key === 'oldest') { return; }
      var target = element.querySelector('.n') || element;
      target.textContent = String(value);
      if (element.classList.contains('count')) {
        element.hidden = value === 0;
        if (key === 'shipping') { element.classList.toggle('urgent', counts.requests > 0); }
      }
    });
    if (requests !== null && counts.requests > requests && news) {
      news.textContent = counts.news;
      news.hidden = false;
    }
    requests = counts.requests;
  }

  function refresh() {
    if (document.hidden) { return; }
    fetch('/console/waiting', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) { if (counts) { show(counts); } })
      .catch(function () { /* offline for a moment: the next look tries again */ });
  }

  refresh();
  window.setInterval(refresh, 60000);
})();
