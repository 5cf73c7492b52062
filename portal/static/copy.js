// Fingerprint copy buttons (core/formats.py fingerprint): shown only where the clipboard works.
document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.firstChild;
      var before = label.textContent;
      label.textContent = button.dataset.copied || "Copied";
      setTimeout(function () { label.textContent = before; }, 2000);
    });
  });
});
