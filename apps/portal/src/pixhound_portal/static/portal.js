/* Progressive enhancement for the portal: every page works without it.
   - Upload: files go one per request with a progress bar each and for the batch.
   - Lists: "select all" for bulk actions. */
"use strict";

(function () {
  function text(form, key) { return form.dataset["text" + key] || ""; }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
  }

  function makeItem(form, file) {
    var item = document.createElement("li");
    item.className = "upload-item outcome-waiting";
    var name = document.createElement("span");
    name.className = "filename";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var status = document.createElement("span");
    status.className = "status";
    status.textContent = text(form, "Waiting");
    item.append(name, bar, status);
    return { element: item, bar: bar, status: status, file: file, loaded: 0 };
  }

  function showAuthorship(form, entry, photo) {
    var list = document.createElement("dl");
    list.className = "authorship";
    [["Creator", photo.creator], ["Copyright", photo.copyright], ["Captured", photo.captured_at]].forEach(function (pair) {
      var term = document.createElement("dt");
      term.textContent = text(form, pair[0]);
      var value = document.createElement("dd");
      value.textContent = pair[1] || text(form, "None");
      list.append(term, value);
    });
    var link = document.createElement("a");
    link.href = photo.url;
    link.textContent = text(form, "Edit");
    entry.element.append(list, link);
  }

  function initUploader() {
    var form = document.getElementById("upload-form");
    if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
    var input = document.getElementById("files");
    var zone = document.getElementById("dropzone");
    var section = document.getElementById("progress-section");
    var queueList = document.getElementById("upload-queue");
    var batch = document.getElementById("batch-progress");
    var summary = document.getElementById("batch-summary");
    var counts = { created: 0, duplicate: 0, refused: 0, failed: 0 };
    var entries = [];
    var pending = [];
    var active = 0;
    var parallel = 3;

    function refresh() {
      var total = 0, loaded = 0, done = 0;
      entries.forEach(function (entry) {
        total += entry.file.size || 1;
        loaded += entry.finished ? (entry.file.size || 1) : entry.loaded;
        if (entry.finished) { done += 1; }
      });
      batch.value = total ? Math.round((loaded / total) * 100) : 0;
      summary.textContent = fill(text(form, "Summary"), {
        done: done, total: entries.length, created: counts.created,
        duplicate: counts.duplicate, refused: counts.refused + counts.failed
      });
    }

    function finish(entry, outcome, message) {
      entry.finished = true;
      entry.bar.value = 100;
      counts[outcome] = (counts[outcome] || 0) + 1;
      entry.element.className = "upload-item outcome-" + outcome;
      entry.status.textContent = message;
      active -= 1;
      refresh();
      next();
    }

    function send(entry) {
      active += 1;
      entry.status.textContent = text(form, "Sending");
      var data = new FormData();
      data.append("file", entry.file, entry.file.name);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          entry.loaded = event.loaded;
          entry.bar.value = Math.round((event.loaded / event.total) * 95);
          refresh();
        }
      });
      request.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(request.responseText); } catch (error) { body = null; }
        if (request.status === 401) { window.location.assign("/signin?expired=1"); return; }
        if (request.status === 413) { finish(entry, "refused", text(form, "Refused") + ": " + request.statusText); return; }
        if (!body || request.status >= 400) {
          finish(entry, "refused", text(form, "Refused") + (body && body.reason ? ": " + body.reason : ""));
          return;
        }
        var label = text(form, body.outcome.charAt(0).toUpperCase() + body.outcome.slice(1));
        finish(entry, body.outcome, body.reason_text ? label + ": " + body.reason_text : label);
        if (body.photo) { showAuthorship(form, entry, body.photo); }
      });
      request.addEventListener("error", function () { finish(entry, "failed", text(form, "Failed")); });
      request.send(data);
    }

    function next() {
      while (active < parallel && pending.length) { send(pending.shift()); }
    }

    function enqueue(files) {
      if (!files || !files.length) { return; }
      section.hidden = false;
      Array.prototype.forEach.call(files, function (file) {
        var entry = makeItem(form, file);
        entries.push(entry);
        pending.push(entry);
        queueList.append(entry.element);
      });
      refresh();
      next();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      enqueue(input.files);
      input.value = "";
    });
    input.addEventListener("change", function () {
      enqueue(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      enqueue(event.dataTransfer.files);
    });
  }

  function initSelectAll() {
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var name = box.dataset.selectAll;
        box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (other) {
          other.checked = box.checked;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initUploader();
    initSelectAll();
  });
})();
