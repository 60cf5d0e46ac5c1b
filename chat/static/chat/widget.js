/* Help desk live chat widget: plain JavaScript, no build step.
 *
 * Embed with <script src="https://desk.example.com/static/chat/widget.js"></script>: it mounts
 * in #helpdesk-chat if the page has one, else in a panel of its own. It talks to the help desk
 * the script came from (its src), so it works on another site listed in CHAT_WIDGET_ORIGINS.
 * data-name / data-email on the script tag prefill the pre-chat form (else what this browser
 * gave last time). Every message is shown with textContent (never as HTML).
 * Protocol: docs/chat-protocol.md.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? new URL(script.src, location.href).origin : location.origin;
  var wsBase = base.replace(/^http/, "ws");
  var STORE = "helpdesk-chat";
  var VISIT = STORE + "-visit";     // the visit's token (sessionStorage: this tab's visit)
  var DECLINED = STORE + "-declined"; // an invitation was declined during this visit
  var WHO = STORE + "-who";         // name and email given last time (localStorage)
  var ruleMode = !!(script && script.dataset.inviteAfter !== undefined);

  var root = document.getElementById("helpdesk-chat");
  if (!root) {
    root = document.createElement("div");
    root.id = "helpdesk-chat";
    root.style.cssText = "position:fixed;right:1rem;bottom:1rem;width:22rem;background:#fff;" +
      "border:1px solid #ccc;border-radius:.5rem;padding:.5rem;font-family:sans-serif;z-index:9999";
    document.body.appendChild(root);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function post(path, data) {
    return fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data),
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    });
  }

  var state = { token: null, lastSeq: 0, socket: null, pending: {}, closed: false, retry: 0 };

  function known() {
    var who = {};
    try { who = JSON.parse(localStorage.getItem(WHO) || "{}") || {}; } catch (e) { who = {}; }
    return {
      name: (script && script.dataset.name) || who.name || "",
      email: (script && script.dataset.email) || who.email || "",
    };
  }

  /* ---- pre-chat form, or the message form when chat is closed ---- */
  function showPrechat() {
    root.innerHTML = "";
    var form = el("form", { id: "prechat" });
    form.appendChild(el("p", {}, "Chat with us. Tell us who you are so we can greet you."));
    form.appendChild(el("input", { id: "prechat-name", name: "name", placeholder: "Your name", required: "" }));
    form.appendChild(el("input", { id: "prechat-email", name: "email", type: "email", placeholder: "Your email", required: "" }));
    form.appendChild(el("textarea", { id: "prechat-question", name: "question", placeholder: "How can we help?" }));
    form.appendChild(el("button", { id: "prechat-start", type: "submit" }, "Start chat"));
    var who = known();
    form.name.value = who.name;
    form.email.value = who.email;
    var error = el("p", { class: "error", role: "alert" });
    form.appendChild(error);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = {
        name: form.name.value, email: form.email.value, question: form.question.value,
        visit: sessionStorage.getItem(VISIT) || "",
      };
      try { localStorage.setItem(WHO, JSON.stringify({ name: data.name, email: data.email })); }
      catch (e) { /* storage full or blocked: nothing to remember */ }
      post("/chat/start/", data).then(function (res) {
        if (res.status === 201) {
          sessionStorage.setItem(STORE, res.body.token);
          visitor.stop();
          startChat(res.body.token);
        } else if (res.status === 409) {
          showClosed(data, res.body.opens_at);
        } else {
          error.textContent = res.body.detail || "Something went wrong.";
        }
      });
    });
    root.appendChild(form);
  }

  function showClosed(data, opensAt) {
    root.innerHTML = "";
    var when = opensAt ? new Date(opensAt).toLocaleString() : "later";
    root.appendChild(el("p", { id: "chat-closed" }, "Live chat is closed now. It opens " + when +
      ". Leave us a message and we will reply by email."));
    var form = el("form", { id: "message-form" });
    var text = el("textarea", { id: "message-text", required: "" });
    text.value = data.question || "";
    form.appendChild(text);
    form.appendChild(el("button", { type: "submit" }, "Send message"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post("/chat/message/", { name: data.name, email: data.email, text: text.value })
        .then(function (res) {
          root.innerHTML = "";
          root.appendChild(el("p", { id: "message-sent" }, res.status === 201 ?
            "Thank you: your message is ticket " + res.body.reference + "." :
            (res.body.detail || "Something went wrong.")));
        });
    });
    root.appendChild(form);
  }

  /* ---- the chat itself ---- */
  var log, input, sendButton, typingLine, actions;

  function buildChat() {
    root.innerHTML = "";
    log = el("div", { id: "chat-log", class: "chat-log", "aria-live": "polite" });
    log.style.cssText = "height:18rem;overflow-y:auto;border:1px solid #eee;padding:.3rem";
    typingLine = el("div", { id: "chat-typing" });
    actions = el("div", { id: "chat-actions" });
    var form = el("form", { id: "chat-form" });
    input = el("input", { id: "chat-input", autocomplete: "off", placeholder: "Type a message" });
    form.appendChild(input);
    sendButton = el("button", { id: "chat-send", type: "submit" }, "Send");
    form.appendChild(sendButton);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      sendMessage(text);
    });
    var lastTyping = 0;
    input.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 2000) { lastTyping = now; send({ type: "typing", typing: true }); }
    });
    var mail = el("button", { type: "button", id: "chat-transcript" }, "Email me the transcript");
    mail.addEventListener("click", function () { send({ type: "email_transcript" }); });
    var secure = el("a", { id: "chat-secure", href: base + "/chat/secure/" + state.token + "/",
                           target: "_blank", rel: "noopener" }, "Secure form for card or ID numbers");
    root.appendChild(log);
    root.appendChild(mail);
    root.appendChild(secure);
    root.appendChild(typingLine);
    root.appendChild(actions);
    root.appendChild(form);
  }

  function addLine(event) {
    if (event.seq <= state.lastSeq) return; // already shown: no duplicates after a resume
    if (event.seq > state.lastSeq + 1) {
      // A line is missing (two servers may deliver out of order): fetch the gap in order.
      state.seenSeq = Math.max(state.seenSeq || 0, event.seq);
      if (!state.resuming) { state.resuming = true; send({ type: "resume", after_seq: state.lastSeq }); }
      return;
    }
    state.lastSeq = event.seq;
    var who = event.sender === "customer" ? "You" : event.sender === "agent" ? (event.author || "Agent") : "";
    var line = el("div", { class: "msg " + event.sender, "data-seq": String(event.seq) });
    line.textContent = (who ? who + ": " : "") + event.text;
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
    if (event.sender === "agent") typingLine.textContent = "";
  }

  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function sendMessage(text) {
    var id = "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    state.pending[id] = text;
    send({ type: "message", text: text, client_id: id });
  }

  function button(label, id, onclick) {
    var b = el("button", { type: "button", id: id }, label);
    b.addEventListener("click", onclick);
    actions.appendChild(b);
    return b;
  }

  function offerMessage() {
    actions.innerHTML = "";
    actions.appendChild(el("p", {}, "Leave a message, or give us a number to call you back:"));
    var text = el("textarea", { id: "offer-text" });
    var phone = el("input", { id: "offer-phone", placeholder: "Phone (for a callback)" });
    actions.appendChild(text);
    actions.appendChild(phone);
    button("Leave message", "offer-send", function () {
      send({ type: "leave_message", text: text.value || "Please get back to me.",
             callback_phone: phone.value });
    });
  }

  /* The chat is over. One that ended because we stopped hearing from the customer (a closed
   * or sleeping page) says so and offers a new chat. */
  function showEnded(reason) {
    state.closed = true;
    clearInterval(state.beat);
    sessionStorage.removeItem(STORE);
    // Nothing more can be said in an ended chat, and the customer is no longer in the queue.
    typingLine.textContent = "";
    input.disabled = true;
    sendButton.disabled = true;
    actions.innerHTML = "";
    var abandoned = reason === "abandoned";
    actions.appendChild(el("p", { id: "chat-ended" }, abandoned ?
      "This chat has ended: we did not hear from you for a while." : "This chat has ended."));
    if (abandoned) {
      button("Start a new chat", "chat-restart", function () {
        var old = state.socket;
        state.socket = null;
        if (old) old.close();
        showPrechat();
      });
    }
  }

  function onEvent(event) {
    switch (event.type) {
      case "hello":
        if (event.status === "closed" || event.status === "missed") showEnded(event.end_reason);
        // The heartbeat tells the desk the customer is still here: a chat whose page was
        // closed ends by itself instead of waiting forever (docs/chat-protocol.md).
        clearInterval(state.beat);
        if (!state.closed) {
          state.beat = setInterval(function () { send({ type: "heartbeat" }); },
                                   1000 * (event.heartbeat || 20));
        }
        if (event.position) {
          typingLine.textContent = "You are number " + event.position + " in the queue; " +
            "expected wait about " + Math.max(1, Math.ceil(event.expected_wait / 60)) + " min.";
        }
        send({ type: "resume", after_seq: state.lastSeq });
        break;
      case "message": addLine(event); break;
      case "resumed":
        state.resuming = false;
        if ((state.seenSeq || 0) > state.lastSeq) { // more came while resuming
          state.resuming = true;
          send({ type: "resume", after_seq: state.lastSeq });
        }
        break;
      case "ack": delete state.pending[event.client_id]; break;
      case "typing":
        typingLine.textContent = event.typing ? "The agent is typing…" : "";
        break;
      case "notice":
        if (event.kind === "offer") offerMessage();
        if (event.kind === "wait" || event.kind === "acknowledge") {
          typingLine.textContent = "You are number " + event.position + " in the queue.";
        }
        break;
      case "confirm":
        actions.innerHTML = "";
        actions.appendChild(el("p", {}, "Is your issue resolved?"));
        button("Yes, resolved", "confirm-yes", function () {
          send({ type: "confirm", resolved: true }); actions.innerHTML = "";
        });
        button("No, not yet", "confirm-no", function () {
          send({ type: "confirm", resolved: false }); actions.innerHTML = "";
        });
        break;
      case "status":
        if (event.status === "active") typingLine.textContent = "";
        if (event.status === "closed" || event.status === "missed") showEnded(event.reason);
        break;
      case "survey":
        var survey = el("p", { id: "chat-survey" }, "Please tell us how we did: ");
        survey.appendChild(el("a", { href: base + event.url, id: "chat-survey-link" }, "answer our short survey"));
        actions.appendChild(survey);
        break;
      case "ticket":
        actions.innerHTML = "";
        actions.appendChild(el("p", { id: "chat-ticket" }, "Thank you: your message is ticket " + event.reference + "."));
        break;
      case "transcript":
        actions.appendChild(el("p", { id: "transcript-sent" }, "The transcript is on its way to your email."));
        break;
      case "error":
        actions.appendChild(el("p", { class: "error" }, event.detail));
        break;
    }
  }

  function connect() {
    var socket = new WebSocket(wsBase + "/ws/chat/" + state.token + "/");
    state.socket = socket;
    socket.onopen = function () {
      state.retry = 0;
      Object.keys(state.pending).forEach(function (id) { // unacknowledged: same id, stored once
        send({ type: "message", text: state.pending[id], client_id: id });
      });
    };
    socket.onmessage = function (msg) { if (state.socket === socket) onEvent(JSON.parse(msg.data)); };
    socket.onclose = function (e) {
      if (state.socket !== socket) return; // a chat left behind for a new one
      clearInterval(state.beat);
      if (e.code === 4403) { sessionStorage.removeItem(STORE); showPrechat(); return; }
      if (state.closed) return;
      state.retry = Math.min(state.retry + 1, 6);
      setTimeout(connect, 250 * Math.pow(2, state.retry));
    };
  }

  function startChat(token) {
    state.token = token;
    state.lastSeq = 0;
    state.closed = false;
    state.pending = {};
    buildChat();
    connect();
  }

  /* A proactive invitation, by rule (data-invite-after="SECONDS" on the script tag: after that
   * long on the page) or from an agent (over the visitor socket, with their message). Accept
   * shows the pre-chat form, prefilled when we know the visitor; a decline is remembered for
   * the visit (sessionStorage, and the server, so no agent invites again). */
  function invite(invitation) {
    if (state.token || sessionStorage.getItem(DECLINED)) return;
    root.innerHTML = "";
    var text = invitation ? invitation.agent + ": " + invitation.message :
      "Can we help? Chat with us now.";
    root.appendChild(el("p", { id: "chat-invitation" }, text));
    var yes = el("button", { type: "button", id: "invite-accept" }, "Chat now");
    var no = el("button", { type: "button", id: "invite-decline" }, "No thanks");
    var id = invitation ? invitation.invitation : null;
    yes.addEventListener("click", function () {
      visitor.send({ type: "answer", invitation: id, accept: true });
      showPrechat();
    });
    no.addEventListener("click", function () {
      sessionStorage.setItem(DECLINED, "1");
      visitor.send({ type: "answer", invitation: id, accept: false });
      if (ruleMode) root.innerHTML = ""; else showPrechat();
    });
    root.appendChild(yes);
    root.appendChild(no);
  }

  /* ---- the visitor socket: while not chatting, so agents see the visitor and may invite ---- */
  var visitor = (function () {
    var socket = null, beat = null, stopped = false, tries = 0;
    function send(frame) {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    }
    function open() {
      socket = new WebSocket(wsBase + "/ws/chat/visitor/");
      socket.onopen = function () {
        tries = 0;
        send({ type: "visit", visit: sessionStorage.getItem(VISIT) || "", page: location.href,
               title: document.title, declined: !!sessionStorage.getItem(DECLINED) });
      };
      socket.onmessage = function (msg) {
        var event = JSON.parse(msg.data);
        if (event.type === "visit") {
          sessionStorage.setItem(VISIT, event.visit);
          if (event.declined) sessionStorage.setItem(DECLINED, "1");
          clearInterval(beat);
          beat = setInterval(function () { send({ type: "heartbeat" }); },
                             1000 * (event.heartbeat || 20));
        } else if (event.type === "invitation") {
          invite(event);
        }
      };
      socket.onclose = function (e) {
        clearInterval(beat);
        if (stopped || e.code === 4403) return;
        tries = Math.min(tries + 1, 6);
        setTimeout(open, 500 * Math.pow(2, tries));
      };
    }
    return {
      start: function () { stopped = false; open(); },
      stop: function () { stopped = true; clearInterval(beat); if (socket) socket.close(); },
      send: send,
    };
  })();

  var saved = sessionStorage.getItem(STORE);
  var inviteAfter = script && script.dataset.inviteAfter;
  if (saved) startChat(saved);
  else {
    visitor.start();
    if (!ruleMode) showPrechat();
    else if (!sessionStorage.getItem(DECLINED)) {
      setTimeout(function () { if (!state.token) invite(null); }, 1000 * Number(inviteAfter));
    }
  }
})();
