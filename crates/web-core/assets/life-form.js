// dangjian: the meeting record form's attendance block. The form works without this script (the
// roster is listed again when the form is saved after the meeting's date or types changed, and
// 全部出席 reloads the form); with it, the roster follows the date and the types as they change,
// from the form's own endpoint (the caller's scope), keeping what was typed for everyone still on
// the roster, and 全部出席 marks everyone present in place.
(function () {
  "use strict";
  var form = document.querySelector("form.life-form[data-attendance]");
  if (!form) return;
  var endpoint = form.getAttribute("data-attendance");
  // what was typed in the block, by field name, kept across reloads: a member who leaves the
  // roster for one date and is back for the next finds their status and reason again
  var typed = {};
  var seq = 0;
  var timer = null;

  function block() {
    return form.querySelector("#attendance-block");
  }

  function say(text) {
    var b = block();
    var status = b && b.querySelector(".roster-status");
    if (status) status.textContent = text;
  }

  // the status and reason selects and inputs of the block, and its numbers by hand (not the
  // hidden date and kind of the roster shown, which the new block brings)
  function entries(b) {
    var out = [];
    var all = b.querySelectorAll("select[name], input[name]");
    for (var i = 0; i < all.length; i++) {
      if (all[i].type !== "hidden") out.push(all[i]);
    }
    return out;
  }

  function remember() {
    var b = block();
    if (!b) return;
    entries(b).forEach(function (el) {
      typed[el.name] = el.value;
    });
  }

  function restore(b) {
    entries(b).forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(typed, el.name)) el.value = typed[el.name];
    });
  }

  function reload() {
    var date = form.querySelector("[name=held_on]");
    if (!date || !date.value) return;
    var query = "held_on=" + encodeURIComponent(date.value);
    var types = form.querySelectorAll("input[name=types]:checked");
    for (var i = 0; i < types.length; i++) query += "&types=" + encodeURIComponent(types[i].value);
    remember();
    var mine = ++seq;
    say("正在按新的日期/类型列出应到人员……");
    fetch(endpoint + "?" + query, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (text) {
          return { ok: r.ok, text: text };
        });
      })
      .then(function (r) {
        if (mine !== seq) return;
        var holder = document.createElement("div");
        holder.innerHTML = r.text;
        if (!r.ok) {
          // a date not yet complete or in the future: the roster shown stays as it is
          var why = holder.textContent.trim();
          say(why && why.length < 200 ? why : "名册未能更新，请核对会议日期");
          return;
        }
        var fresh = holder.querySelector("#attendance-block");
        var old = block();
        if (!fresh || !old) return;
        restore(fresh);
        old.parentNode.replaceChild(fresh, old);
        var rows = fresh.querySelectorAll("select[name^=att_]").length;
        var on = fresh.querySelector("input[name=roster_on]");
        say(
          fresh.querySelector("input[name=roster_kind]").value === "none"
            ? "参会名单已按新的日期/类型更新：所选会议类型不按党员名册登记，请填写人数。"
            : "参会名单已按新的日期/类型更新（" + (on ? on.value : "") + "，" + rows + " 人），已填的出席情况保留，请核对。"
        );
      })
      .catch(function () {
        if (mine === seq) say("名册未能自动更新，请点击“按日期载入名册”");
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(reload, 300);
  }

  form.addEventListener("change", function (e) {
    var t = e.target;
    if (t.name === "held_on" || t.name === "types") later();
  });

  // 全部出席: every roster member present, in place (the reasons typed stay, unused for those
  // present, in case the tap was a slip)
  form.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-all-present]") : null;
    if (!button) return;
    e.preventDefault();
    var selects = block().querySelectorAll("select[name^=att_]");
    for (var i = 0; i < selects.length; i++) selects[i].value = "present";
    remember();
    say("已将名册中的 " + selects.length + " 人全部标为出席；有请假或缺席的，请逐一改选并注明原因。");
  });
})();
