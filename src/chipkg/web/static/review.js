/* The review page of chipkg (docs/curation.md): keyboard and mouse actions on one passage's
   claims, each sent to the server, which writes the curated overlay and answers; the page then
   reloads to show the result. No library, nothing fetched from elsewhere. */
(function () {
  "use strict";
  var body = document.body;
  var base = body.dataset.base || "";
  var article = document.getElementById("passage");
  var message = document.getElementById("message");
  var analyst = document.getElementById("analyst");
  var KEY = "chipkg-analyst";

  // -- the analyst's name, kept in this browser -------------------------------------------------
  if (analyst) {
    analyst.value = localStorage.getItem(KEY) || analyst.value || body.dataset.defaultAnalyst || "";
    analyst.addEventListener("change", function () {
      localStorage.setItem(KEY, analyst.value.trim());
    });
  }

  function say(text, isError) {
    message.textContent = text;
    message.className = isError ? "error" : "info";
    message.hidden = false;
  }

  function post(url, payload) {
    return fetch(base + url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.error || data.output || "HTTP " + r.status);
        return data;
      });
    });
  }

  function act(payload, focusAfter) {
    if (!article) return Promise.resolve();
    var name = analyst ? analyst.value.trim() : "";
    if (name) localStorage.setItem(KEY, name);
    payload.analyst = name;
    payload.passage = Number(article.dataset.index);
    say("saving…", false);
    return post("/api/r/" + encodeURIComponent(article.dataset.report) + "/act", payload).then(
      function (data) {
        sessionStorage.setItem("chipkg-said", data.message);
        if (focusAfter !== undefined) sessionStorage.setItem("chipkg-focus", String(focusAfter));
        window.location.reload();
      },
      function (err) {
        say(err.message, true);
      }
    );
  }
  window.chipkgAct = act; // for scripted sessions and tests

  var said = sessionStorage.getItem("chipkg-said");
  if (said) {
    say(said, false);
    sessionStorage.removeItem("chipkg-said");
  }

  // -- claims: focus and the row actions --------------------------------------------------------
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.claim"));

  function focused() {
    var el = document.activeElement;
    while (el && el !== document.body) {
      if (el.classList && el.classList.contains("claim")) return el;
      el = el.parentNode;
    }
    return null;
  }

  function focusRow(i) {
    if (!rows.length) return;
    i = Math.max(0, Math.min(rows.length - 1, i));
    rows[i].focus();
    highlight(rows[i]);
  }

  function nextPendingAfter(i) {
    for (var j = i + 1; j < rows.length; j++) if (rows[j].dataset.state === "pending") return j;
    return i;
  }

  // the words a claim rests on, highlighted in the sentence (CSS Custom Highlight API: the
  // sentence's text, whose offsets a selection is measured in, is left as it is)
  function highlight(row) {
    var s = document.getElementById("sentence");
    if (!s || !window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    CSS.highlights.delete("claim");
    var words = row.dataset.words;
    var at = words ? article.dataset.text.indexOf(words) : -1;
    if (at < 0) return;
    var range = rangeOf(s, at, at + words.length);
    if (range) CSS.highlights.set("claim", new Highlight(range));
  }

  function rangeOf(root, a, b) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var at = 0;
    var range = document.createRange();
    var started = false;
    while (walker.nextNode()) {
      var n = walker.currentNode;
      var len = n.textContent.length;
      if (!started && a <= at + len) {
        range.setStart(n, a - at);
        started = true;
      }
      if (started && b <= at + len) {
        range.setEnd(n, b - at);
        return range;
      }
      at += len;
    }
    return null;
  }

  function rowAct(row, action) {
    var i = rows.indexOf(row);
    var payload = { action: action, ref: row.dataset.ref, state: row.dataset.state };
    return act(payload, action === "accept" || action === "reject" ? nextPendingAfter(i) : i);
  }

  rows.forEach(function (row) {
    row.addEventListener("click", function (ev) {
      var b = ev.target.closest("button");
      if (!b) return;
      if (b.dataset.act === "edit") openEditor("correct", row);
      else if (b.classList.contains("set-amount"))
        act(
          {
            action: "correct",
            ref: row.dataset.ref,
            state: row.dataset.state,
            fields: {
              amount: b.dataset.amount,
              currency: b.dataset.currency,
              qualifier: b.dataset.qualifier,
            },
          },
          rows.indexOf(row)
        );
      else if (b.dataset.act) rowAct(row, b.dataset.act);
    });
    row.addEventListener("focus", function () {
      highlight(row);
    });
  });

  // -- the sentence: a selection becomes a new fact ---------------------------------------------
  var sentence = document.getElementById("sentence");

  function offsetIn(root, node, offset) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var at = 0;
    while (walker.nextNode()) {
      if (walker.currentNode === node) return at + offset;
      at += walker.currentNode.textContent.length;
    }
    if (node === root) {
      var n = 0;
      for (var k = 0; k < offset; k++) n += root.childNodes[k].textContent.length;
      return n;
    }
    return null;
  }

  function selectionSpan() {
    var sel = window.getSelection();
    if (!sentence || !sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    var r = sel.getRangeAt(0);
    if (!sentence.contains(r.startContainer) || !sentence.contains(r.endContainer)) return null;
    var a = offsetIn(sentence, r.startContainer, r.startOffset);
    var b = offsetIn(sentence, r.endContainer, r.endOffset);
    if (a === null || b === null || a >= b) return null;
    return [a, b];
  }

  // -- the editor: correct a claim or add one ---------------------------------------------------
  var editor = document.getElementById("editor");
  var mode = null;
  var editing = null;
  var span = null;
  var lastEntityInput = null;

  function field(name) {
    return editor.querySelector('[data-field="' + name + '"]');
  }

  function openEditor(how, row) {
    if (!editor) return;
    mode = how;
    editing = row;
    var fields = row ? JSON.parse(row.dataset.fields) : {};
    editor.querySelectorAll("[data-field]").forEach(function (el) {
      el.value = fields[el.dataset.field] || "";
    });
    if (how === "add") {
      span = selectionSpan();
      if (!span) {
        say("select the words of the fact in the sentence first", true);
        return;
      }
      var text = article.dataset.text.slice(span[0], span[1]);
      document.getElementById("editor-quote").textContent = text;
      if (window.CSS && CSS.highlights && typeof Highlight !== "undefined") {
        var range = rangeOf(sentence, span[0], span[1]);
        if (range) CSS.highlights.set("claim", new Highlight(range));
      }
      document.getElementById("editor-title").textContent = "Add a fact 添加事实";
      var inside = [];
      sentence.querySelectorAll(".mention").forEach(function (m) {
        var s = Number(m.dataset.start);
        if (s >= span[0] && s < span[1] && inside.indexOf(m.dataset.entity) < 0)
          inside.push(m.dataset.entity);
      });
      field("subject").value = inside[0] || "";
      field("object").value = inside.length > 1 ? inside[inside.length - 1] : "";
    } else {
      document.getElementById("editor-quote").textContent = row.dataset.words || "";
      document.getElementById("editor-title").textContent = "Correct 更正 " + row.dataset.ref;
    }
    editor.hidden = false;
    (field(how === "add" ? "predicate" : "subject") || editor).focus();
  }

  function closeEditor() {
    if (editor) editor.hidden = true;
    hideSuggestions();
    mode = null;
  }

  function save() {
    var fields = {};
    editor.querySelectorAll("[data-field]").forEach(function (el) {
      fields[el.dataset.field] = el.value.trim();
    });
    if (mode === "add") return act({ action: "add", span: span, fields: fields });
    var before = JSON.parse(editing.dataset.fields);
    var changed = {};
    Object.keys(fields).forEach(function (k) {
      if ((before[k] || "") !== fields[k]) changed[k] = fields[k];
    });
    return act(
      { action: "correct", ref: editing.dataset.ref, state: editing.dataset.state, fields: changed },
      rows.indexOf(editing)
    );
  }

  if (editor) {
    document.getElementById("save").addEventListener("click", save);
    document.getElementById("cancel").addEventListener("click", closeEditor);
    editor.addEventListener("click", function (ev) {
      var chip = ev.target.closest(".chip");
      if (!chip) return;
      if (chip.dataset.amount) {
        field("amount").value = chip.dataset.amount;
        field("currency").value = chip.dataset.currency;
        field("qualifier").value = chip.dataset.qualifier;
      } else if (chip.dataset.date) {
        field("date").value = chip.dataset.date;
      } else if (chip.dataset.entity) {
        var target = lastEntityInput || (field("subject").value ? field("object") : field("subject"));
        choose(target, chip.dataset.entity, chip.textContent);
      }
    });
  }

  // entity search, in both scripts
  var suggestions = document.getElementById("suggestions");
  var searchFor = null;
  var timer = null;

  // the chosen entity's labels, shown under its field
  function choose(input, id, label) {
    input.value = id;
    input.title = label || "";
    var shown = input.parentNode.querySelector(".chosen");
    if (!shown) {
      shown = document.createElement("small");
      shown.className = "chosen";
      input.parentNode.appendChild(shown);
    }
    shown.textContent = label || "";
    hideSuggestions();
  }

  function hideSuggestions() {
    if (suggestions) {
      suggestions.hidden = true;
      suggestions.innerHTML = "";
    }
    searchFor = null;
  }

  function showSuggestions(input, items) {
    suggestions.innerHTML = "";
    items.forEach(function (e, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.entity = e.id;
      li.textContent = e.zh + " · " + e.en + " (" + e.id + ", " + e.type + (e.provisional ? ", provisional" : "") + ")";
      if (i === 0) li.className = "active";
      li.dataset.label = e.zh + " · " + e.en;
      li.addEventListener("mousedown", function (ev) {
        ev.preventDefault();
        choose(input, e.id, li.dataset.label);
      });
      suggestions.appendChild(li);
    });
    suggestions.hidden = items.length === 0;
    searchFor = input;
  }

  document.querySelectorAll(".entity-input").forEach(function (input) {
    input.addEventListener("focus", function () {
      lastEntityInput = input;
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) return hideSuggestions();
      timer = setTimeout(function () {
        var url = base + "/api/r/" + encodeURIComponent(article.dataset.report) + "/entities?q=" + encodeURIComponent(q);
        fetch(url)
          .then(function (r) {
            return r.json();
          })
          .then(function (items) {
            if (input.value.trim() === q) showSuggestions(input, items);
          });
      }, 120);
    });
    input.addEventListener("keydown", function (ev) {
      if (!searchFor || suggestions.hidden) return;
      var items = Array.prototype.slice.call(suggestions.children);
      var i = items.findIndex(function (li) {
        return li.className === "active";
      });
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (i >= 0) items[i].className = "";
        i = (i + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items[i].className = "active";
      } else if (ev.key === "Enter" && i >= 0) {
        ev.preventDefault();
        ev.stopPropagation();
        choose(input, items[i].dataset.entity, items[i].dataset.label);
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(function () {
        if (searchFor === input && document.activeElement !== input) hideSuggestions();
      }, 150);
    });
  });

  // -- promote a provisional entity -------------------------------------------------------------
  document.querySelectorAll("button.promote").forEach(function (b) {
    b.addEventListener("click", function () {
      var en = b.parentNode.querySelector(".promote-en");
      act({ action: "promote", entity: b.dataset.entity, fields: { label_en: en ? en.value.trim() : "" } });
    });
  });

  // -- rebuild ----------------------------------------------------------------------------------
  var rebuild = document.getElementById("rebuild");
  if (rebuild)
    rebuild.addEventListener("click", function () {
      say("rebuilding… (chipkg build)", false);
      rebuild.disabled = true;
      post("/api/rebuild", {}).then(
        function (data) {
          say(data.output, false);
          rebuild.disabled = false;
        },
        function (err) {
          say(err.message, true);
          rebuild.disabled = false;
        }
      );
    });

  // -- keyboard ---------------------------------------------------------------------------------
  function go(id) {
    var a = document.getElementById(id);
    if (a) window.location.href = a.href;
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName);
    if (editor && !editor.hidden) {
      if (ev.key === "Escape") closeEditor();
      else if (ev.key === "Enter" && (ev.target.tagName !== "INPUT" || suggestions.hidden)) {
        ev.preventDefault();
        save();
      }
      return;
    }
    if (typing) return;
    var row = focused();
    var i = row ? rows.indexOf(row) : -1;
    switch (ev.key) {
      case "ArrowDown":
        ev.preventDefault();
        focusRow(i + 1);
        break;
      case "ArrowUp":
        ev.preventDefault();
        focusRow(i - 1);
        break;
      case "a":
      case "r":
      case "u":
        if (!row) row = rows[nextPendingAfter(-1)];
        if (row) rowAct(row, { a: "accept", r: "reject", u: "undo" }[ev.key]);
        break;
      case "e":
        if (row || rows.length) openEditor("correct", row || rows[0]);
        break;
      case "+":
        openEditor("add", null);
        break;
      case "n":
        go("next");
        break;
      case "p":
        go("prev");
        break;
      case "j":
        go("next-pending");
        break;
      case "k":
        go("prev-pending");
        break;
      default:
        return;
    }
    ev.preventDefault(); // the key is a command: it types nothing where the focus went
  });

  // where the last action left the focus
  var focus = sessionStorage.getItem("chipkg-focus");
  sessionStorage.removeItem("chipkg-focus");
  if (focus !== null) focusRow(Number(focus));
  else if (rows.length) focusRow(nextPendingAfter(-1));
  body.dataset.ready = "1";
})();
