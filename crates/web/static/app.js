// Light enhancement only: every page works without it.
// htmx 2 leaves 4xx/5xx answers unswapped; ours carry the Vietnamese message to show.
if (window.htmx) {
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[45]..", swap: true, error: true },
  ];
}
// 1. The report form keeps a copy of what was typed in this browser, so a closed tab
//    or an expired session loses nothing; the copy is offered back on the next visit.
(function () {
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var key = "qcdc-draft:" + form.getAttribute("data-draft-key");
  var saved = form.getAttribute("data-saved-at") || "";
  function snapshot() {
    var data = {};
    form.querySelectorAll("input[name], textarea[name]").forEach(function (el) {
      if (el.name !== "csrf") data[el.name] = el.value;
    });
    try { localStorage.setItem(key, JSON.stringify({ at: new Date().toISOString(), server: saved, data: data })); } catch (e) {}
  }
  form.addEventListener("input", snapshot);
  try {
    var copy = JSON.parse(localStorage.getItem(key) || "null");
    if (copy && copy.server === saved) {
      var differs = Object.keys(copy.data).some(function (n) {
        var el = form.querySelector('[name="' + n + '"]');
        return el && el.value !== copy.data[n];
      });
      if (differs && confirm("Trình duyệt còn giữ nội dung bạn đã nhập nhưng chưa lưu. Khôi phục?")) {
        Object.keys(copy.data).forEach(function (n) {
          var el = form.querySelector('[name="' + n + '"]');
          if (el) el.value = copy.data[n];
        });
      }
    }
  } catch (e) {}
  // 2. Autosave a little after typing stops.
  var timer = null;
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { if (window.htmx) htmx.trigger(form, "autosave"); }, 1500);
  });
  // "Gửi báo cáo" posts the whole form: no autosave may race it.
  form.addEventListener("submit", function () { clearTimeout(timer); });
  document.body.addEventListener("htmx:afterRequest", function (ev) {
    if (ev.detail.elt === form && ev.detail.successful) { try { localStorage.removeItem(key); } catch (e) {} }
  });
})();
// 3. The error summary: each link moves the cursor into its field.
document.addEventListener("click", function (ev) {
  var a = ev.target.closest && ev.target.closest(".error-summary a[href^='#']");
  if (!a) return;
  var el = document.getElementById(a.getAttribute("href").slice(1));
  if (el) { ev.preventDefault(); el.scrollIntoView({ block: "center" }); el.focus(); }
});
(function () {
  var summary = document.querySelector(".error-summary");
  if (summary && document.querySelector(".flash.err")) summary.focus();
})();
// 4. Forms that change a lot at once ask first.
document.addEventListener("submit", function (ev) {
  var f = ev.target;
  var q = f.getAttribute && f.getAttribute("data-confirm");
  if (q && !confirm(q)) ev.preventDefault();
}, true);
// 5. A list filtered as you type, with or without diacritics.
function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase(); }
document.querySelectorAll("input[data-filter]").forEach(function (box) {
  box.addEventListener("input", function () {
    var q = fold(box.value.trim());
    document.querySelectorAll(box.getAttribute("data-filter")).forEach(function (el) {
      el.style.display = !q || (el.getAttribute("data-fold") || "").indexOf(q) >= 0 ? "" : "none";
    });
  });
});
