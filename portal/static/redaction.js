// Draw redaction boxes on page images. Fills the box form (in page units); the form does the rest.
(function () {
  "use strict";
  var form = document.getElementById("box-form");
  var pages = document.querySelectorAll(".redact-page");
  if (!form || !pages.length) { return; }

  function unit(fig, img) { return parseFloat(fig.dataset.width) / img.clientWidth; }

  function outline(fig, x, y, w, h, cls) {
    var img = fig.querySelector("img"), k = unit(fig, img), el = document.createElement("div");
    el.className = cls;
    el.style.left = (x / k) + "px"; el.style.top = (y / k) + "px";
    el.style.width = (w / k) + "px"; el.style.height = (h / k) + "px";
    fig.appendChild(el);
    return el;
  }

  function showDrafts() {
    document.querySelectorAll(".redact-outline").forEach(function (el) { el.remove(); });
    document.querySelectorAll(".draft-box[data-x]").forEach(function (row) {
      var fig = document.querySelector('.redact-page[data-page="' + row.dataset.page + '"]');
      if (fig && fig.querySelector("img").complete) {
        outline(fig, +row.dataset.x, +row.dataset.y, +row.dataset.width, +row.dataset.height, "redact-outline");
      }
    });
  }

  pages.forEach(function (fig) {
    var img = fig.querySelector("img"), start = null, box = null;
    img.addEventListener("load", showDrafts);
    fig.addEventListener("pointerdown", function (e) {
      var r = img.getBoundingClientRect();
      start = [e.clientX - r.left, e.clientY - r.top];
      if (box) { box.remove(); }
      box = outline(fig, 0, 0, 0, 0, "redact-drawing");
      fig.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    fig.addEventListener("pointermove", function (e) {
      if (!start) { return; }
      var r = img.getBoundingClientRect();
      var x = Math.max(0, Math.min(e.clientX - r.left, img.clientWidth));
      var y = Math.max(0, Math.min(e.clientY - r.top, img.clientHeight));
      box.style.left = Math.min(x, start[0]) + "px"; box.style.top = Math.min(y, start[1]) + "px";
      box.style.width = Math.abs(x - start[0]) + "px"; box.style.height = Math.abs(y - start[1]) + "px";
    });
    fig.addEventListener("pointerup", function () {
      if (!start) { return; }
      start = null;
      var k = unit(fig, img), page = form.querySelector('[name="page"]');
      if (page) { page.value = fig.dataset.page; }
      form.querySelector('[name="x"]').value = (parseFloat(box.style.left) * k).toFixed(2);
      form.querySelector('[name="y"]').value = (parseFloat(box.style.top) * k).toFixed(2);
      form.querySelector('[name="width"]').value = (parseFloat(box.style.width) * k).toFixed(2);
      form.querySelector('[name="height"]').value = (parseFloat(box.style.height) * k).toFixed(2);
      form.querySelector('[name="citation"]').focus();
    });
  });
  window.addEventListener("resize", showDrafts);
})();
