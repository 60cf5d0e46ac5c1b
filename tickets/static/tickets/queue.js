// A queue page: rows change live as tickets come, change and go (live.js).
deskLive({
  onEvent: function (event) {
    var rows = document.getElementById("queue-rows");
    if (event.event === "ticket.created" || event.event === "message.created") {
      refreshFragment(rows, rows.dataset.rowsUrl);
    } else if (event.event === "ticket.updated") {
      updateQueueRow(rows, event);
    }
  }
});
