(function () {
  function key(cell) {
    var v = cell.getAttribute('data-sort');
    if (v === null) { v = cell.textContent.trim(); }
    var n = parseFloat(v);
    return (v !== '' && !isNaN(n) && isFinite(v)) ? n : v.toLowerCase();
  }
  function sortBy(table, col, dir) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]), r;
      if (typeof x === typeof y) { r = x < y ? -1 : (x > y ? 1 : 0); }
      else { r = typeof x === 'number' ? -1 : 1; }
      return dir === 'asc' ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute('aria-sort', i === col ? (dir === 'asc' ? 'ascending' : 'descending')
                                             : 'none');
    });
  }
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (t) {
    Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      th.title = 'click to sort';
      function go() {
        sortBy(t, i, th.getAttribute('aria-sort') === 'ascending' ? 'desc' : 'asc');
      }
      th.addEventListener('click', go);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { go(); } });
    });
    var d = t.getAttribute('data-sort-default');
    if (d) { var p = d.split(':'); sortBy(t, parseInt(p[0], 10), p[1]); }
  });
  // audit.html#sort=TABLE:COLUMN:asc|desc opens with that table sorted, by clicking its header
  function sortFromHash() {
    var m = /^#sort=([A-Za-z0-9_-]+):([0-9]+):(asc|desc)$/.exec(location.hash);
    var t = m && document.getElementById(m[1]);
    var th = t && t.classList.contains('sortable') && t.tHead.rows[0].cells[parseInt(m[2], 10)];
    if (!th) { return; }
    var want = m[3] === 'asc' ? 'ascending' : 'descending';
    for (var i = 0; i < 2 && th.getAttribute('aria-sort') !== want; i++) { th.click(); }
    t.scrollIntoView();
  }
  sortFromHash();
  window.addEventListener('hashchange', sortFromHash);
  document.body.setAttribute('data-sortable-tables', String(tables.length));
})();
