// How long until (or since) a deadline, as every page that counts one down writes it:
// "4:05:09", "2d 03:00:00", "-0:00:12" once past due.
window.helpdeskCountdownText = function (seconds) {
  function pad(n) { return String(n).padStart(2, "0"); }
  var s = Math.floor(Math.abs(seconds)), d = Math.floor(s / 86400);
  s -= d * 86400;
  var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  var t = d ? d + "d " + pad(h) + ":" + pad(m) + ":" + pad(r) : h + ":" + pad(m) + ":" + pad(r);
  return (seconds < 0 ? "-" : "") + t;
};
