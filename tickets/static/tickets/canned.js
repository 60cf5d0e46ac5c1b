// Canned responses: the search box narrows the list; choosing one inserts its text (the
// customer's name already filled in by the server) at the cursor of the reply box.
(function () {
  var texts = {};
  JSON.parse(document.getElementById("canned-texts").textContent).forEach(function (c) { texts[c.id] = c.text; });
  var select = document.getElementById("canned-select");
  var search = document.getElementById("canned-search");
  var reply = document.getElementById("id_reply-text");
  search.addEventListener("input", function () {
    var words = search.value.toLowerCase().trim();
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      option.hidden = words !== "" && option.dataset.search.indexOf(words) === -1;
    });
  });
  select.addEventListener("change", function () {
    var text = texts[select.value];
    if (text === undefined) return;
    var start = reply.selectionStart, end = reply.selectionEnd, value = reply.value;
    if (typeof start !== "number") { start = end = value.length; }
    reply.value = value.slice(0, start) + text + value.slice(end);
    reply.focus();
    reply.selectionStart = reply.selectionEnd = start + text.length;
    select.value = "";
  });
})();
