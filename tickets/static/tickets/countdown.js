// Count every deadline down each second from its data-due (ISO 8601), and colour its row once
// its warning time (data-warn) or its due time has passed.
(function () {
  var text = window.helpdeskCountdownText;  // helpdesk/countdown_text.js
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
