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

// ticket.updated: what a ticket is now (status, priority, team, agent), sent to the desks that
// may see it. Values are set as text, never as HTML.
var OPEN_STATUSES = ["new", "open", "pending_customer", "on_hold"];

function setText(element, text) { if (element) element.textContent = text; }

// Whether the ticket still belongs to the queue the page shows: true, false, or null when
// only the server can tell (my team, breaching soon, breached).
function queueVerdict(rows, event) {
  var wanted = rows.dataset;
  if (wanted.status ? event.status !== wanted.status : OPEN_STATUSES.indexOf(event.status) < 0) return false;
  if (wanted.priority && event.priority !== wanted.priority) return false;
  if (wanted.team && String(event.team_id) !== wanted.team) return false;
  switch (wanted.queue) {
    case "mine": return String(event.assignee_id) === wanted.user;
    case "unassigned": return event.assignee_id === null;
    case "pending": return event.status === "pending_customer";
    case "open": return true;
    default: return null;
  }
}

// A queue page: the ticket's row shows its new values, or goes when it left the queue; a
// ticket that joined the queue (or one only the server can judge) brings the rows again.
function updateQueueRow(rows, event) {
  var row = rows.querySelector('tr[data-ticket="' + Number(event.number) + '"]');
  var verdict = queueVerdict(rows, event);
  if (row) {
    var status = row.querySelector("td.status"), priority = row.querySelector("td.priority");
    setText(status, event.status_label);
    if (status) status.dataset.status = event.status;
    setText(priority, event.priority_label);
    if (priority) priority.className = "priority priority-" + event.priority;
    setText(row.querySelector("td.team"), event.team);
    setText(row.querySelector("td.assignee"), event.assignee || "—");
    if (verdict === false) row.remove();
  }
  if (verdict === null || (verdict === true && !row)) {
    refreshFragment(rows, rows.dataset.rowsUrl);
  } else if (!rows.querySelector("tr")) {
    var empty = document.createElement("tr"), cell = document.createElement("td");
    cell.colSpan = 10;
    cell.className = "empty";
    cell.textContent = "No tickets here.";
    empty.appendChild(cell);
    rows.appendChild(empty);
  }
}

// A ticket page: its status, priority, agent and team as they are now, and where it was merged.
function updateTicketPage(event, ticketUrl) {
  setText(document.getElementById("ticket-status"), event.status_label);
  setText(document.getElementById("ticket-priority"), event.priority_label.toLowerCase());
  setText(document.getElementById("ticket-assignee"), event.assignee ? "assigned to " + event.assignee : "unassigned");
  setText(document.getElementById("ticket-team"), event.team ? "· team " + event.team : "");
  document.body.dataset.ticketStatus = event.status;
  var merged = document.getElementById("ticket-merged");
  if (event.merged_into && merged) {
    var link = document.createElement("a");
    link.href = ticketUrl.replace("/0/", "/" + Number(event.merged_into_number) + "/");
    link.textContent = event.merged_into;
    merged.textContent = "Merged into ";
    merged.appendChild(link);
    merged.appendChild(document.createTextNode("."));
    merged.hidden = false;
  }
}
