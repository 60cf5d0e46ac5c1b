// Count every running deadline down each second, and move its badge on as warn/due pass.
(function () {
  var text = window.helpdeskCountdownText;  // helpdesk/countdown_text.js
  function setBadge(row, status) {
    if (row.dataset.status === status) return;
    row.dataset.status = status;
    row.className = status === "ok" ? "" : status;
    var badge = row.querySelector(".badge");
    badge.className = "badge badge-" + status;
    badge.textContent = status.toUpperCase();
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("tr[data-due]").forEach(function (row) {
      var due = Date.parse(row.dataset.due), warn = row.dataset.warn ? Date.parse(row.dataset.warn) : null;
      row.querySelector(".countdown").textContent = text((due - now) / 1000);
      if (row.dataset.status === "breached") return;
      if (due <= now) setBadge(row, "breached");
      else if (warn !== null && warn <= now) setBadge(row, "warning");
    });
  }
  setInterval(tick, 1000);
})();
