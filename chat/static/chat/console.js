/* The agent's chat console: the queue, chats side by side, greeting, canned responses, the
 * customer's history; transfer, escalate, convert, close; presence with a heartbeat; the site's
 * visitors, whom the agent may invite. A supervisor or manager also watches a chat read-only
 * (an escalation, or `?session=N`, the link of the escalation's notification) and takes it over.
 * Plain JavaScript; text is always set with textContent. Protocol: docs/chat-protocol.md. */
(function () {
  "use strict";
  var wsUrl = location.origin.replace(/^http/, "ws") + "/ws/desk/chat/";
  var queue = document.getElementById("queue");
  var chats = document.getElementById("chats");
  var connection = document.getElementById("connection");
  var presence = document.getElementById("presence");
  var visitors = document.getElementById("visitors");
  var escalations = document.getElementById("escalations");
  var consoleNotice = document.getElementById("console-notice");
  // The chat a link opens (a notification's /desk/chat/?session=N): shown once the socket says
  // hello, as the agent's own panel if it is theirs, else watched (the server's rule decides).
  var linked = parseInt(new URLSearchParams(location.search).get("session"), 10) || null;
  var CHOSEN = "helpdesk-presence"; // the agent's choice, restored when the console reconnects
  var beat = null;
  var panels = {}; // session id -> {root, log, lastSeq, input, typing}
  var socket = null;
  var retry = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function addToQueue(entry) {
    if (queue.querySelector('[data-session="' + entry.session + '"]')) return;
    var li = el("li", { class: "queue-item", "data-session": String(entry.session) });
    li.appendChild(el("strong", {}, entry.customer));
    li.appendChild(el("span", { class: "waiting-since", "data-started": entry.started_at }));
    if (entry.question) li.appendChild(el("div", { class: "question" }, entry.question));
    var accept = el("button", { type: "button", class: "accept" }, "Accept");
    accept.addEventListener("click", function () { send({ type: "accept", session: entry.session }); });
    li.appendChild(accept);
    queue.appendChild(li);
  }

  function removeFromQueue(session) {
    var li = queue.querySelector('[data-session="' + session + '"]');
    if (li) li.remove();
  }

  function tool(panel, label, cls, onclick) {
    var b = el("button", { type: "button", class: cls }, label);
    b.addEventListener("click", onclick);
    panel.tools.appendChild(b);
    return b;
  }

  function openPanel(card, watch) {
    if (panels[card.session]) return panels[card.session];
    var root = el("article", { class: "chat-panel" + (watch ? " watching" : ""),
                               "data-session": String(card.session) });
    root.appendChild(el("h3", {}, card.customer + (card.email ? " <" + card.email + ">" : "")));
    if (watch) {
      root.appendChild(el("p", { class: "watch-label" }, "Watching (read-only): " +
        (card.agent ? "handled by " + card.agent : "no agent yet")));
      if (card.escalation_notes) {
        root.appendChild(el("p", { class: "escalation-notes" }, "Escalated: " + card.escalation_notes));
      }
    }
    // The details above are as the visitor gave them; how they compare with the record found.
    if (card.check) root.appendChild(el("p", { class: "record-check" }, card.check.note));
    var history = el("ul", { class: "history" });
    (card.history || []).forEach(function (h) {
      history.appendChild(el("li", {}, h.at.slice(0, 10) + " " + h.channel + ": " + h.kind +
        (h.summary ? " — " + h.summary.split("\n")[0] : "")));
    });
    if (!card.history || !card.history.length) history.appendChild(el("li", {}, "First contact."));
    root.appendChild(el("h4", {}, "Past interactions"));
    root.appendChild(history);
    var log = el("div", { class: "log", role: "log", "aria-live": "polite" });
    var typing = el("div", { class: "typing" });
    if (watch) return openWatchPanel(card, root, log, typing);
    var form = el("form", { class: "reply" });
    var input = el("input", { class: "reply-input", autocomplete: "off", placeholder: "Reply" });
    form.appendChild(input);
    form.appendChild(el("button", { type: "submit", class: "send" }, "Send"));
    var tools = el("div", { class: "panel-tools" });
    root.appendChild(log);
    root.appendChild(typing);
    root.appendChild(form);
    root.appendChild(tools);
    chats.appendChild(root);
    var panel = { root: root, log: log, lastSeq: 0, input: input, typing: typing, tools: tools,
                  customer: card.customer };
    panels[card.session] = panel;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      send({ type: "message", session: card.session, text: text,
             client_id: "a" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) });
    });
    var lastTyping = 0;
    input.addEventListener("input", function () {
      if (Date.now() - lastTyping > 2000) {
        lastTyping = Date.now();
        send({ type: "typing", session: card.session, typing: true });
      }
    });
    tool(panel, "Greeting", "greet", function () { input.value = card.greeting; input.focus(); });

    var cannedQuery = el("input", { class: "canned-query", placeholder: "Search canned responses" });
    var cannedResults = el("div", { class: "canned-results" });
    cannedQuery.addEventListener("change", function () {
      fetch("/desk/chat/canned/?session=" + card.session + "&q=" + encodeURIComponent(cannedQuery.value))
        .then(function (r) { return r.json(); })
        .then(function (body) {
          cannedResults.innerHTML = "";
          body.results.forEach(function (r) {
            var b = el("button", { type: "button" }, r.title);
            b.addEventListener("click", function () { input.value = r.text; input.focus(); });
            cannedResults.appendChild(b);
          });
        });
    });
    tools.appendChild(cannedQuery);
    tools.appendChild(cannedResults);

    var summary = el("textarea", { class: "summary-input", placeholder: "Summary of the resolution" });
    tools.appendChild(summary);
    tool(panel, "Ask to confirm and close", "ask-close", function () {
      send({ type: "close", session: card.session, summary: summary.value, confirm: true });
    });
    tool(panel, "Close unconfirmed", "close-now", function () {
      send({ type: "close", session: card.session, summary: summary.value, confirm: false });
    });
    var notes = el("textarea", { class: "notes-input", placeholder: "Escalation notes (required)" });
    tools.appendChild(notes);
    tool(panel, "Escalate", "escalate", function () {
      send({ type: "escalate", session: card.session, notes: notes.value });
    });
    tool(panel, "Convert to ticket", "convert", function () {
      send({ type: "convert", session: card.session, subject: card.question.slice(0, 100) });
    });
    var to = el("input", { class: "transfer-to", placeholder: "Transfer to (username)" });
    tools.appendChild(to);
    tool(panel, "Transfer", "transfer", function () {
      send({ type: "transfer", session: card.session, to_agent: to.value });
    });
    panel.secure = el("ul", { class: "secure" });
    root.appendChild(panel.secure);
    (card.secure || []).forEach(function (d) { addSecure(panel, d); });
    panel.notice = el("div", { class: "notice", role: "status" });
    root.appendChild(panel.notice);
    send({ type: "resume", session: card.session, after_seq: 0 });
    return panel;
  }

  // A watched chat: the lines live, no reply box; Take over makes it the watcher's own (the
  // server answers with `assigned`, and the full panel replaces this one).
  function openWatchPanel(card, root, log, typing) {
    var tools = el("div", { class: "panel-tools watch-tools" });
    root.appendChild(log);
    root.appendChild(typing);
    root.appendChild(tools);
    chats.insertBefore(root, chats.firstChild);
    var panel = { root: root, log: log, lastSeq: 0, typing: typing, tools: tools, watch: true };
    panels[card.session] = panel;
    tool(panel, "Take over", "take-over", function () {
      send({ type: "take_over", session: card.session });
    });
    tool(panel, "Stop watching", "unwatch", function () {
      send({ type: "unwatch", session: card.session });
      root.remove();
      delete panels[card.session];
    });
    panel.notice = el("div", { class: "notice", role: "status" });
    root.appendChild(panel.notice);
    send({ type: "resume", session: card.session, after_seq: 0 });
    return panel;
  }

  function showLinked() {
    if (!linked) return;
    var own = panels[linked];
    if (own) {
      own.root.classList.add("linked");
      own.root.scrollIntoView({ block: "nearest" });
    } else send({ type: "watch", session: linked });
    linked = null;
  }

  function addEscalation(event) {
    var li = escalations.querySelector('[data-session="' + event.session + '"]');
    if (!li) {
      li = el("li", { class: "escalation", "data-session": String(event.session) });
      escalations.appendChild(li);
    }
    li.textContent = "";
    li.appendChild(el("strong", {}, event.by + ": "));
    li.appendChild(el("span", {}, event.notes));
    var watch = el("button", { type: "button", class: "watch" }, "Watch");
    watch.addEventListener("click", function () { send({ type: "watch", session: event.session }); });
    li.appendChild(watch);
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function addSecure(panel, d) {
    var li = el("li", { class: "secure-item" }, d.label + " ");
    var b = el("button", { type: "button", class: "reveal" }, d.purged ? "purged" : "Reveal");
    b.disabled = !!d.purged;
    b.addEventListener("click", function () {
      fetch("/desk/chat/secure/" + d.id + "/reveal/", {
        method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin",
      }).then(function (r) { return r.json().catch(function () { return {}; }); })
        .then(function (body) {
          var shown = el("code", { class: "secure-value" }, body.value || body.detail || "not allowed");
          li.appendChild(shown);
          setTimeout(function () { shown.remove(); }, 30000); // not left on screen
        });
    });
    li.appendChild(b);
    panel.secure.appendChild(li);
  }

  function addLine(event) {
    var panel = panels[event.session];
    if (!panel || event.seq <= panel.lastSeq) return;
    if (event.seq > panel.lastSeq + 1) {
      // A line is missing (two servers may deliver out of order): fetch the gap in order.
      panel.seenSeq = Math.max(panel.seenSeq || 0, event.seq);
      if (!panel.resuming) {
        panel.resuming = true;
        send({ type: "resume", session: event.session, after_seq: panel.lastSeq });
      }
      return;
    }
    panel.lastSeq = event.seq;
    if (event.sender === "system" && /has joined the chat/.test(event.text)) {
      // a take-over: the escalation is answered
      var answered = escalations.querySelector('[data-session="' + event.session + '"]');
      if (answered) answered.remove();
    }
    var who = event.sender === "agent" ? (event.author || "Agent") :
      event.sender === "customer" ? "Customer" : "";
    panel.log.appendChild(el("div", { class: "msg " + event.sender, "data-seq": String(event.seq) },
      (who ? who + ": " : "") + event.text));
    panel.log.scrollTop = panel.log.scrollHeight;
    if (event.sender === "customer") panel.typing.textContent = "";
  }

  function showVisitor(entry) {
    var li = visitors.querySelector('[data-visit="' + entry.visit + '"]');
    if (!li) {
      li = el("li", { class: "visitor", "data-visit": String(entry.visit) });
      li.appendChild(el("strong", { class: "visitor-page" }));
      li.appendChild(el("div", { class: "visitor-state" }));
      var message = el("input", { class: "invite-message", value: "Hi! Can I help you with anything?" });
      var button = el("button", { type: "button", class: "invite" }, "Invite to chat");
      button.addEventListener("click", function () {
        send({ type: "invite", visit: entry.visit, message: message.value, ref: "visit-" + entry.visit });
      });
      li.appendChild(message);
      li.appendChild(button);
      visitors.appendChild(li);
    }
    li.querySelector(".visitor-page").textContent = entry.title || entry.page || "A page";
    li.querySelector(".visitor-page").title = entry.page || "";
    var inv = entry.invitation;
    li.querySelector(".visitor-state").textContent = entry.chatting ? "chatting" :
      entry.declined ? "declined for this visit" :
      inv ? "invited by " + inv.agent + " (" + inv.answer + ")" :
      "here since " + entry.since.slice(11, 16);
    li.querySelector("button.invite").disabled = !!(entry.chatting || entry.declined);
  }

  function onEvent(event) {
    var panel = panels[event.session];
    switch (event.type) {
      case "hello":
        connection.textContent = "connected as " + event.agent;
        var chosen = sessionStorage.getItem(CHOSEN) || "online"; // opening the console: online
        presence.value = chosen;
        if (event.presence !== chosen) send({ type: "presence", presence: chosen });
        clearInterval(beat);
        beat = setInterval(function () { send({ type: "heartbeat" }); }, 1000 * (event.heartbeat || 20));
        visitors.innerHTML = "";
        (event.visitors || []).forEach(showVisitor);
        queue.innerHTML = "";
        event.queue.forEach(addToQueue);
        event.chats.forEach(function (card) {
          var known = panels[card.session];
          if (known) send({ type: "resume", session: card.session, after_seq: known.lastSeq });
          else openPanel(card);
        });
        Object.keys(panels).forEach(function (id) { // a reconnected socket watches them again
          if (panels[id].watch) send({ type: "watch", session: Number(id) });
        });
        escalations.innerHTML = "";
        (event.escalations || []).forEach(addEscalation);
        showLinked();
        break;
      case "watching":
        if (panel && panel.watch) send({ type: "resume", session: event.session, after_seq: panel.lastSeq });
        else if (!panel) openPanel(event.chat, true);
        break;
      case "escalated": addEscalation(event); break;
      case "taken_over":
        // Named as the agent knows the chat (its panel is still open: this comes first).
        consoleNotice.textContent = event.by + " has taken over your chat " +
          (panel && panel.customer ? "with " + panel.customer : event.session) + ".";
        break;
      case "queue":
        if (event.action === "waiting") addToQueue(event); else removeFromQueue(event.session);
        break;
      case "offer": addToQueue(event); break;
      case "assigned":
        removeFromQueue(event.session);
        var escalation = escalations.querySelector('[data-session="' + event.session + '"]');
        if (escalation) escalation.remove(); // taken over: answered
        if (panel && panel.watch) { panel.root.remove(); delete panels[event.session]; }
        openPanel(event.chat);
        break;
      case "unassigned":
        if (panel) { panel.root.remove(); delete panels[event.session]; }
        break;
      case "message": addLine(event); break;
      case "resumed":
        if (!panel) break;
        panel.resuming = false;
        if ((panel.seenSeq || 0) > panel.lastSeq) { // more came while resuming
          panel.resuming = true;
          send({ type: "resume", session: event.session, after_seq: panel.lastSeq });
        }
        break;
      case "typing":
        if (panel) panel.typing.textContent = event.typing ? "The customer is typing…" : "";
        break;
      case "status":
        if (panel && (event.status === "closed" || event.status === "missed")) {
          panel.notice.textContent = "Chat ended.";
          panel.root.classList.add("ended");
        }
        break;
      case "secure":
        if (panel) addSecure(panel, event);
        break;
      case "ticket":
        if (panel) panel.notice.textContent = "Ticket " + event.reference + " opened.";
        break;
      case "presence": presence.value = event.presence; break;
      case "visitor":
        if (event.action === "left") {
          var gone = visitors.querySelector('[data-visit="' + event.visit + '"]');
          if (gone) gone.remove();
        } else showVisitor(event);
        break;
      case "invited":
        var invited = visitors.querySelector('[data-visit="' + event.visit + '"] .visitor-state');
        if (invited) invited.textContent = "invited";
        break;
      case "error":
        var about = event.ref && visitors.querySelector('[data-visit="' + event.ref.slice(6) + '"] .visitor-state');
        if (about) about.textContent = event.detail;
        else (panel || { notice: consoleNotice }).notice.textContent = event.detail;
        break;
    }
  }

  function connect() {
    socket = new WebSocket(wsUrl);
    socket.onopen = function () { retry = 0; };
    socket.onmessage = function (msg) { onEvent(JSON.parse(msg.data)); };
    socket.onclose = function () {
      clearInterval(beat);
      connection.textContent = "reconnecting…";
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * Math.pow(2, retry));
    };
  }

  presence.addEventListener("change", function (e) {
    sessionStorage.setItem(CHOSEN, e.target.value);
    send({ type: "presence", presence: e.target.value });
  });
  connect();
})();
