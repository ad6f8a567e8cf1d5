// Keeps an attendance marking page current: when the same session is saved from another
// device, the server sends the saved marks and this sets the radio buttons to them.
// Without JavaScript the page still works; it just does not update by itself.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live]");
  if (!form || !window.EventSource) {
    return;
  }
  var note = document.getElementById("live-note");
  var source = new EventSource(form.getAttribute("data-live"));
  source.addEventListener("marked", function (event) {
    var data = JSON.parse(event.data);
    Object.keys(data.marks).forEach(function (student) {
      var selector = 'input[name="status_' + student + '"][value="' + data.marks[student] + '"]';
      var input = form.querySelector(selector);
      if (input) {
        input.checked = true;
      }
    });
    if (note && data.note) {
      note.textContent = data.note;
      note.hidden = false;
    }
  });
})();

// Keeps a region of a page current: when the server says it changed, the page is fetched
// again and the region replaced (forms outside it keep what was typed in them).
(function () {
  "use strict";
  var regions = document.querySelectorAll("[data-live-region][data-live-events]");
  if (!regions.length || !window.EventSource || !window.fetch) {
    return;
  }
  Array.prototype.forEach.call(regions, function (region) {
    var source = new EventSource(region.getAttribute("data-live-events"));
    source.addEventListener("changed", function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) {
            return;
          }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
          if (fresh) {
            region.innerHTML = fresh.innerHTML;
            region.setAttribute("data-live-updated", String(Date.now()));
          }
        });
    });
  });
})();
