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
