// Sorting only: every table is complete without this script. Click a header (or press Enter on it) to
// sort by that column; a link ending in #sort=<table id>:<column>:desc opens the page sorted.
(function () {
  function key(cell) {
    var text = (cell && (cell.getAttribute("data-sort") || cell.textContent) || "").trim();
    var number = parseFloat(text.replace(/[^0-9.\-]/g, ""));
    return /^-?[0-9][0-9.,\s%]*$/.test(text) && !isNaN(number) ? number : text.toLowerCase();
  }
  function sortBy(table, column, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, index) { row._order = index; });
    rows.sort(function (a, b) {
      var x = key(a.cells[column]), y = key(b.cells[column]);
      var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
      return (descending ? -order : order) || a._order - b._order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (index === column) { th.setAttribute("aria-sort", descending ? "descending" : "ascending"); } else { th.removeAttribute("aria-sort"); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      th.tabIndex = 0;
      function toggle() { sortBy(table, column, th.getAttribute("aria-sort") === "ascending"); }
      th.addEventListener("click", toggle);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter") { toggle(); } });
    });
  });
  var wanted = /^#sort=([\w-]+):(\d+)(?::(asc|desc))?$/.exec(window.location.hash);
  var table = wanted && document.getElementById(wanted[1]);
  if (table && table.classList.contains("sortable")) { sortBy(table, parseInt(wanted[2], 10), wanted[3] === "desc"); }
})();
