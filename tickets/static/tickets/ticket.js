// A ticket page follows its ticket live (live.js): the ticket and its page's link pattern come
// from the live status line's data attributes.
(function () {
  var status = document.getElementById("live-status");
  var ticket = Number(status.dataset.ticket), ticketUrl = status.dataset.ticketUrl;
  deskLive({
    ticket: ticket,
    onEvent: function (event) {
      if (event.ticket_id !== ticket) return;
      if (event.event === "ticket.updated") updateTicketPage(event, ticketUrl);
      if (event.event === "message.created" || event.event === "ticket.updated") {
        var timeline = document.getElementById("timeline");
        refreshFragment(timeline, timeline.dataset.url);
      }
    }
  });
})();
