// dangjian: the organization picker's type-ahead. Every picker works without this script (its
// "查找并选择党组织" link opens the search page); with it, a search box under the chosen
// organization lists matches as the user types, each with its parents, from the picker's JSON
// endpoint (the caller's own scope), and says how many there are when not all are shown.
(function () {
  "use strict";
  // each picker's partial names this script: set the pickers up once
  if (window.djOrgPicker) return;
  window.djOrgPicker = true;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function setup(box, n) {
    var endpoint = box.getAttribute("data-pick");
    var hidden = box.querySelector(".org-picker-value");
    var chosen = box.querySelector(".org-picker-chosen");
    var find = box.querySelector(".org-picker-find");
    if (!endpoint || !hidden || !chosen) return;
    var listId = "org-pick-list-" + n;
    var input = el("input", "org-picker-input");
    input.type = "search";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("maxlength", "60");
    input.placeholder = "输入名称或简称查找，如：湄江 第一党支部";
    var label = box.querySelector(".label");
    if (label && label.id) input.setAttribute("aria-labelledby", label.id);
    var list = el("ul", "org-picker-list");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var status = el("div", "org-picker-status muted");
    status.setAttribute("aria-live", "polite");
    var wrap = el("div", "org-picker-search");
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    box.insertBefore(wrap, chosen.parentNode.nextSibling);
    if (find) find.textContent = "按列表查找…";

    var timer = null;
    var seq = 0;
    var active = -1;
    var items = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      hidden.value = String(item.id);
      chosen.textContent = "";
      chosen.appendChild(el("strong", "", item.name));
      if (item.path) chosen.appendChild(el("span", "org-path", "上级：" + item.path));
      input.value = "";
      status.textContent = "已选择：" + item.name;
      close();
      if (box.getAttribute("data-submit")) {
        var form = hidden.form || box.closest("form");
        if (form) form.submit();
      }
    }

    function highlight(i) {
      var opts = list.querySelectorAll("[role=option]");
      for (var k = 0; k < opts.length; k++) opts[k].setAttribute("aria-selected", k === i ? "true" : "false");
      active = i;
      if (i >= 0 && opts[i]) {
        input.setAttribute("aria-activedescendant", opts[i].id);
        opts[i].scrollIntoView({ block: "nearest" });
      }
    }

    function show(data) {
      list.textContent = "";
      items = data.items || [];
      items.forEach(function (item, i) {
        var li = el("li", "org-picker-option");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.appendChild(el("strong", "", item.name));
        li.appendChild(el("span", "tag", item.kind));
        if (item.path) li.appendChild(el("span", "org-path", "上级：" + item.path));
        li.addEventListener("mousedown", function (e) {
          e.preventDefault();
          choose(item);
        });
        list.appendChild(li);
      });
      if (data.more) {
        var more = el("li", "org-picker-more muted", data.more);
        more.setAttribute("aria-disabled", "true");
        list.appendChild(more);
      }
      if (!items.length) list.appendChild(el("li", "org-picker-more muted", "没有找到，请换个说法"));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = items.length ? "共 " + data.total + " 个，显示 " + items.length + " 个" : "没有找到";
      active = -1;
    }

    function search() {
      var q = input.value.trim();
      var mine = ++seq;
      fetch(endpoint + "&q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.json();
        })
        .then(function (data) {
          if (mine === seq) show(data);
        })
        .catch(function () {
          if (mine === seq) status.textContent = "查找失败，请稍后再试，或使用“按列表查找”";
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("focus", function () {
      if (!input.value && list.hidden) search();
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden) search();
        else highlight(Math.min(active + 1, items.length - 1));
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (e.key === "Enter") {
        // never submit the page's form from the search box
        e.preventDefault();
        if (active >= 0 && items[active]) choose(items[active]);
        else if (items.length === 1) choose(items[0]);
      } else if (e.key === "Escape") {
        close();
      }
    });
  }

  var boxes = document.querySelectorAll(".org-picker[data-pick]");
  for (var i = 0; i < boxes.length; i++) setup(boxes[i], i);
})();
