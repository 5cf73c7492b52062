/* Upload progress for forms marked data-progress: the same POST, sent with XMLHttpRequest so the
   browser can report how much has gone. Without JavaScript the form posts as usual. */
(function () {
  "use strict";
  function human(bytes) {
    var units = ["bytes", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1000 && i < units.length - 1) { bytes /= 1000; i++; }
    return (i ? bytes.toFixed(1) : bytes) + " " + units[i];
  }
  function attach(form) {
    var box = document.getElementById(form.getAttribute("data-progress"));
    if (!box || !window.FormData || !window.XMLHttpRequest) { return; }
    var bar = box.querySelector("progress"), status = box.querySelector("[data-status]"),
        list = box.querySelector("ul");
    form.addEventListener("submit", function (event) {
      var files = form.querySelector("input[type=file]").files, total = 0;
      if (!files.length) { return; }  // let the server say what is missing
      event.preventDefault();
      list.textContent = "";
      for (var i = 0; i < files.length; i++) {
        var li = document.createElement("li");
        li.textContent = files[i].name + " (" + human(files[i].size) + ")";
        list.appendChild(li);
        total += files[i].size;
      }
      box.hidden = false;
      bar.value = 0;
      status.textContent = "Sending " + files.length + " file(s), " + human(total) + "…";
      form.querySelector("button[type=submit]").disabled = true;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round(100 * e.loaded / e.total);
          status.textContent = "Sent " + human(e.loaded) + " of " + human(e.total) + " (" + bar.value + "%)";
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        status.textContent = "All sent. The portal is checking and storing the files…";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400 && xhr.responseURL) { window.location.assign(xhr.responseURL); return; }
        document.open(); document.write(xhr.responseText); document.close();  // the server's own error page
      });
      xhr.addEventListener("error", function () {
        status.textContent = "The upload stopped: the connection was lost. Nothing was saved; please try again.";
        form.querySelector("button[type=submit]").disabled = false;
      });
      xhr.send(new FormData(form));
    });
  }
  var forms = document.querySelectorAll("form[data-progress]");
  for (var i = 0; i < forms.length; i++) { attach(forms[i]); }
}());
