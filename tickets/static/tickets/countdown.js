// Count every deadline down each second from its data-due (ISO 8601), and colour its row once
// its warning time (data-warn) or its due time has passed.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function text(seconds) {
    var s = Math.floor(Math.abs(seconds)), d = Math.floor(s / 86400);
    s -= d * 86400;
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var t = d ? d + "d " + pad(h) + ":" + pad(m) + ":" + pad(r) : h + ":" + pad(m) + ":" + pad(r);
    return (seconds < 0 ? "-" : "") + t;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (cell) {
      var due = Date.parse(cell.dataset.due);
      var warn = cell.dataset.warn ? Date.parse(cell.dataset.warn) : null;
      cell.textContent = text((due - now) / 1000);
      var row = cell.closest("tr, li");
      if (!row) return;
      row.classList.toggle("breached", due <= now);
      row.classList.toggle("warning", due > now && warn !== null && warn <= now);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
