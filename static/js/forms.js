// Public forms: a second click while the first submit is on its way sends nothing more.
// The server also ignores a repeated submission (each form carries a one-time key).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-no-double-submit")) return;
  if (form.dataset.sending === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "1";
  var button = form.querySelector("button[type=submit]");
  if (button) {
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Mengirim…";
  }
});

// A refused form lands on its first error: it posts to an anchor (#kesalahan-laporan) that the
// refusal puts on the field at fault, marked `autofocus`. Browsers ignore `autofocus` when the
// address has a fragment, so the cursor is put there here, once the page has loaded (Chromium
// clears the focus when it scrolls to a fragment that is not itself focusable); without
// JavaScript the page still opens on the field and its message.
window.addEventListener("load", function () {
  if (!location.hash) return;
  var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!target) return;
  var field = target.matches("[autofocus]") ? target : target.querySelector("[autofocus]");
  if (field) field.focus();
});
