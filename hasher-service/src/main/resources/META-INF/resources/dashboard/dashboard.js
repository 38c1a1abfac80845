// Live updates for the server-rendered dashboard: statuses arrive over Server-Sent Events
// (/api/v1/events); a chip changes state at once, and the board is re-read from the server (which
// escapes everything) when something new appears or a build ends. The farm section (workers, queues,
// brokers: nothing a status says) is re-read from /farm every 5 s while the page is shown. Data from
// events only ever goes into textContent and data attributes, never into markup.
(function () {
  'use strict';
  var board = document.getElementById('board');
  var live = document.getElementById('live');
  if (!board || !window.EventSource || !window.fetch) {
    return;
  }
  var rendered = Date.now();
  var repository = board.getAttribute('data-repository') || '';
  var url = '/api/v1/events' + (repository ? '?repository=' + encodeURIComponent(repository) : '');
  var source = new EventSource(url);
  var pending = null;

  source.onopen = function () { setLive(true); };
  source.onerror = function () { setLive(false); };
  source.onmessage = function (e) {
    var status;
    try { status = JSON.parse(e.data); } catch (err) { return; }
    if (!status || typeof status.image !== 'string' || typeof status.state !== 'string') { return; }
    var found = false;
    var chips = board.querySelectorAll('[data-image]');
    for (var i = 0; i < chips.length; i++) {
      if (chips[i].getAttribute('data-image') === status.image) {
        found = true;
        setState(chips[i], status.state);
      }
    }
    if (!found || status.state !== 'BUILDING') {
      refreshSoon();
    }
  };

  function setLive(on) {
    if (live) {
      live.setAttribute('data-state', on ? 'on' : 'off');
      live.textContent = on ? 'live' : 'live updates off';
    }
  }

  function setState(chip, state) {
    if (chip.getAttribute('data-state') === state) { return; }
    var cls = chip.className.split(' ').filter(function (c) { return !/^(requested|building|built|exists|failed|deleted|unknown)$/.test(c); });
    cls.push(state.toLowerCase().replace(/[^a-z_]/g, ''));
    chip.className = cls.join(' ');
    chip.setAttribute('data-state', state);
    if (state === 'BUILDING' && !chip.hasAttribute('data-elapsed')) {
      chip.setAttribute('data-elapsed', String(rendered - Date.now()));
    }
    var label = chip.querySelector('.state');
    if (label) { label.textContent = state; } else { chip.title = state; }
  }

  function refreshSoon() {
    if (pending) { return; }
    pending = setTimeout(function () {
      fetch(window.location.href, { headers: { 'Accept': 'text/html' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('board');
          if (fresh) {
            rendered = Date.now();
            board.replaceChildren.apply(board, Array.prototype.slice.call(fresh.childNodes));
          }
        })
        .catch(function () { /* the next event tries again */ })
        .then(function () { pending = null; });
    }, 1000); // at most one re-read a second per page, however many statuses arrive
  }

  // The farm: server-rendered like the rest, re-read every 5 s (the board re-read replaces it too).
  var farmUrl = '/farm' + (repository ? '?repository=' + encodeURIComponent(repository) : '');
  var farmPending = false;
  setInterval(function () {
    var current = document.getElementById('farm');
    if (!current || farmPending || document.hidden) { return; }
    farmPending = true;
    fetch(farmUrl, { headers: { 'Accept': 'text/html' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('farm');
        var now = document.getElementById('farm');
        if (fresh && now) { now.replaceWith(document.importNode(fresh, true)); }
      })
      .catch(function () { /* the next tick tries again */ })
      .then(function () { farmPending = false; });
  }, 5000);

  // Elapsed time of building chips, counted on from what the server rendered.
  setInterval(function () {
    var building = board.querySelectorAll('.chip[data-state="BUILDING"][data-elapsed]');
    for (var i = 0; i < building.length; i++) {
      var ms = Number(building[i].getAttribute('data-elapsed')) + (Date.now() - rendered);
      var el = building[i].querySelector('.elapsed');
      if (!el) {
        el = document.createElement('span');
        el.className = 'elapsed';
        building[i].appendChild(el);
      }
      el.textContent = (ms / 1000).toFixed(0) + ' s';
    }
  }, 1000);
})();
