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
