// Progress for long uploads on the package page, and no double submits. Without JavaScript
// the form posts normally; with it, the same POST goes through XMLHttpRequest so the operator
// sees how far the upload is, and the answer replaces the page as a normal submit would.
(function () {
  "use strict";
  var form = document.getElementById("process_form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var box = document.querySelector(".upload-progress");
  var bar = document.getElementById("upload-progress-bar");
  var text = box && box.querySelector(".upload-progress__text");

  function said(name) {
    return (box && box.dataset[name]) || "";
  }

  function chosenFiles() {
    var files = [];
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        files.push({ file: file, limit: Number(input.dataset.maxBytes || 0) });
      });
    });
    return files;
  }

  form.addEventListener("submit", function (event) {
    if (form.dataset.submitting === "yes") {
      event.preventDefault();
      return;
    }
    var files = chosenFiles();
    var tooLarge = files.filter(function (f) { return f.limit && f.file.size > f.limit; });
    if (tooLarge.length) {
      event.preventDefault();
      // The sentences come from the page, in its language (data-* of the progress box).
      alert(said("tooLarge")
        .replace("{limit}", Math.round(tooLarge[0].limit / 1048576))
        .replace("{files}", tooLarge.map(function (f) { return f.file.name; }).join(", ")));
      return;
    }
    form.dataset.submitting = "yes";
    if (!files.length || !box) return;  // nothing to upload: a normal submit is quick

    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    box.hidden = false;
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      text.textContent = percent + "%";
    });
    request.addEventListener("load", function () {
      // The answer (after any redirect) is the page a normal submit would show, messages
      // included: show it and its address, without asking the server a second time.
      // XMLHttpRequest drops the fragment a normal submit lands on (#pesan after a save,
      // #kesalahan after a refusal): put it back and scroll there.
      var anchor = request.responseText.indexOf('id="kesalahan"') >= 0 ? "kesalahan" : "pesan";
      if (request.responseURL) {
        window.history.replaceState(null, "", request.responseURL.split("#")[0] + "#" + anchor);
      }
      document.open();
      document.write(request.responseText);
      document.close();
      var target = document.getElementById(anchor);
      if (target) target.scrollIntoView();
      // A written document may not honour autofocus: the cursor goes to the first field in
      // error, and the note stays in view.
      var first = document.querySelector("[autofocus]");
      if (first) first.focus({ preventScroll: true });
    });
    request.addEventListener("error", function () {
      form.dataset.submitting = "";
      box.hidden = true;
      alert(said("connectionLost"));
    });
    request.send(data);
  });
})();
