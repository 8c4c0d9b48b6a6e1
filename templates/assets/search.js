// Site search, part one: what every page loads. Without JavaScript, or when
// the site is opened from disk, the header keeps its link to the glossary.
// Otherwise the link becomes a search field (a combobox) in the same place,
// and the rest (search-panel.js and its search.css, then Pagefind's
// pagefind.js, which fetches its index piece by piece) is imported only when
// a reader first focuses it or types, so pages stay light.
(function () {
  "use strict";
  var box = document.getElementById("site-search");
  var me = document.currentScript;
  if (!box || !me || !/^https?:$/.test(location.protocol)) {
    return;
  }
  var fallback = box.innerHTML;
  var field = document.createElement("input");
  field.type = "search";
  field.className = "site-search-field";
  field.placeholder = "Search the site";
  field.autocomplete = "off";
  field.setAttribute("aria-label", "Search this site");
  field.setAttribute("role", "combobox");
  field.setAttribute("aria-autocomplete", "list");
  field.setAttribute("aria-expanded", "false");
  field.setAttribute("aria-controls", "site-search-results");
  // Announces the count of results; in the page from the start, as a live region must be.
  var status = document.createElement("p");
  status.className = "site-search-status";
  status.setAttribute("role", "status");
  box.textContent = "";
  box.append(field, status);
  var started = false;

  function start() {
    if (started) {
      return;
    }
    started = true;
    import(me.src.replace(/search\.js(\?.*)?$/, "search-panel.js")).then(function (panel) {
      panel.start(box, field, status, me.src.replace(/assets\/search\.js(\?.*)?$/, "pagefind/"));
    }).catch(function () {
      box.innerHTML = fallback; // no index (the dev server has none until it made one): back to the glossary link
    });
  }

  field.addEventListener("focus", start);
  field.addEventListener("input", start);
})();
