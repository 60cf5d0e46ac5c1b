// Live updates over the desk's WebSocket (ws/desk/): the server says what changed (a new
// ticket, a new message); the page fetches the fragment that shows it again. Reconnects with
// a growing delay when the connection drops.
function refreshFragment(element, url) {
  if (!element || !url) return;
  if (element._refreshing) { element._again = true; return; }
  element._refreshing = true;
  fetch(url, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
    .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
    .then(function (html) { element.innerHTML = html; })
    .catch(function () {})
    .finally(function () {
      element._refreshing = false;
      if (element._again) { element._again = false; refreshFragment(element, url); }
    });
}

function deskLive(options) {
  var delay = 1000, status = document.getElementById("live-status");
  function say(text) { if (status) status.textContent = text; }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/desk/");
    socket.onopen = function () {
      delay = 1000;
      say("Live");
      document.body.dataset.live = "connected";
      if (options.ticket) socket.send(JSON.stringify({action: "subscribe", ticket: options.ticket}));
    };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.subscribed) { document.body.dataset.subscribed = String(data.subscribed); }
      if (data.event && options.onEvent) options.onEvent(data);
    };
    socket.onclose = function () {
      document.body.dataset.live = "closed";
      say("Reconnecting…");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  if ("WebSocket" in window) connect();
}
