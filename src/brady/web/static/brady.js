// Brady's own script (no framework): upload progress on forms that carry files, and
// scanner-friendly fields. Pages work without it; it only adds feedback.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-progress]")) {
    form.addEventListener("submit", (event) => {
      const files = form.querySelector("input[type=file]");
      if (!files || files.files.length === 0 || !window.XMLHttpRequest) return;
      event.preventDefault();
      const bar = form.querySelector("progress");
      const said = form.querySelector("[data-progress-text]");
      const request = new XMLHttpRequest();
      request.open(form.method, form.action);
      request.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable && bar) { bar.max = e.total; bar.value = e.loaded; }
        if (said) said.textContent = `Uploading: ${Math.round((100 * e.loaded) / e.total)}%`;
      });
      request.addEventListener("load", () => {
        document.open(); document.write(request.responseText); document.close();
        if (request.responseURL) history.replaceState(null, "", request.responseURL);
      });
      request.send(new FormData(form));
    });
  }
});
