// School checklist (实地核查表): every keystroke is kept in localStorage as a draft, so a dropped
// connection or a closed tab loses nothing; the whole list is sent at once and the server accepts the
// same list twice (a resend after a timeout) without storing it twice.
(function () {
  "use strict";
  var form = document.getElementById("checklist");
  if (!form || form.dataset.submitted === "1") {
    if (form) { try { localStorage.removeItem(form.dataset.draftKey); } catch (e) { /* private mode */ } }
    return;
  }
  var key = form.dataset.draftKey;
  var status = document.getElementById("draft-status");

  function say(text, cls) { status.textContent = text; status.className = "fw-status " + (cls || ""); }
  function fields() { return form.querySelectorAll("input[data-line], textarea[name=note]"); }
  function now() { var d = new Date(); return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2); }

  function save() {
    var values = {};
    fields().forEach(function (el) { values[el.name] = el.value; });
    try {
      localStorage.setItem(key, JSON.stringify({values: values, saved: new Date().toISOString()}));
      say("未提交草稿：已于 " + now() + " 保存在本机，提交后才上报", "draft");
    } catch (e) {
      say("本机无法保存草稿（浏览器禁止了本地存储），请尽快提交", "offline");
    }
  }

  function restore() {
    var raw = null;
    try { raw = localStorage.getItem(key); } catch (e) { return; }
    if (!raw) return;
    var draft = JSON.parse(raw);
    fields().forEach(function (el) {
      if (draft.values && Object.prototype.hasOwnProperty.call(draft.values, el.name)) el.value = draft.values[el.name];
    });
    say("未提交草稿：已从本机恢复（保存于 " + new Date(draft.saved).toLocaleString("zh-CN") + "），核对后请提交", "draft");
  }

  function showErrors(errors) {
    form.querySelectorAll(".err").forEach(function (el) { el.textContent = ""; });
    Object.keys(errors || {}).forEach(function (name) {
      var el = form.querySelector('.err[data-for="' + name + '"]');
      if (el) el.textContent = errors[name];
    });
  }

  form.addEventListener("input", save);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    save();
    if (!navigator.onLine) {
      say("网络已断开：填写内容已作为草稿保存在本机，未丢失。恢复网络后请再次提交", "offline");
      return;
    }
    say("正在提交……");
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return {status: r.status, body: body}; }); })
      .then(function (res) {
        if (res.body.ok) {
          try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
          say(res.body.message, "done");
          window.location.reload();
        } else {
          showErrors(res.body.errors);
          say((res.body.message || "提交未成功") + "；草稿仍保存在本机", "offline");
        }
      })
      .catch(function () {
        say("网络中断，提交未成功：填写内容已作为草稿保存在本机，未丢失。恢复网络后请再次提交", "offline");
      });
  });
  restore();
})();
