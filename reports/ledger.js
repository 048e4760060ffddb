/* ledger's report pages: sort a table by a column, filter its rows, search the statements.
   Offline and private: no network, no storage, no cookies. Without scripts the pages read and
   print as they are; the controls below only exist once this script has run. */
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var lower = function (el) { return (el.textContent || "").toLowerCase(); };

  function key(cell) {
    var v = cell ? cell.getAttribute("data-v") : null;
    if (v === null) { return cell ? (cell.textContent || "").trim().toLowerCase() : ""; }
    return v !== "" && !isNaN(Number(v)) ? Number(v) : v;
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    if (typeof a === "number") { return -1; }
    if (typeof b === "number") { return 1; }
    return String(a).localeCompare(String(b));
  }

  each(document.querySelectorAll("table.sortable"), function (table) {
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r, s) {
          var c = compare(key(r.cells[column]), key(s.cells[column]));
          return ascending ? c : -c;
        });
        each(rows, function (row) { body.appendChild(row); });
      });
    });
  });

  each(document.querySelectorAll("[data-filter]"), function (target, n) {
    var items = target.tagName === "TABLE" ? target.tBodies[0].rows : target.children;
    var label = document.createElement("label");
    var input = document.createElement("input");
    var count = document.createElement("span");
    label.className = "filter";
    label.htmlFor = input.id = "filter-" + n;
    label.textContent = target.getAttribute("data-filter");
    input.type = "search";
    input.autocomplete = "off";
    count.className = "count";
    count.setAttribute("role", "status");
    count.setAttribute("aria-live", "polite");
    var box = document.createElement("p");
    box.className = "controls";
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(count);
    target.parentNode.insertBefore(box, target);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      each(items, function (item) {
        var text = lower(item);
        var hit = words.every(function (w) { return text.indexOf(w) !== -1; });
        item.hidden = !hit;
        if (item.classList.contains("obs")) { item.classList.toggle("open", hit && words.length > 0); }
        if (hit) { shown += 1; }
      });
      count.textContent = words.length ? shown + " / " + items.length : "";
    });
  });
}());
