// Site search. Without JavaScript, or when the site is opened from disk, the
// header keeps its link to the glossary. Otherwise the link becomes a search
// field, and Pagefind's UI (about 130 KB) is loaded only when a reader first
// focuses it, so pages stay light. Pagefind's files sit in pagefind/ beside
// assets/, found from this script's own address, so the site may live in a
// subfolder.
(function () {
  "use strict";
  var box = document.getElementById("site-search");
  var me = document.currentScript;
  if (!box || !me || !/^https?:$/.test(location.protocol)) {
    return;
  }
  var bundle = me.src.replace(/assets\/search\.js(\?.*)?$/, "pagefind/");
  var label = "Search this site", hint = "Search articles, names and claims";
  var fallback = box.innerHTML;
  var field = document.createElement("input");
  field.type = "search";
  field.className = "site-search-field";
  field.placeholder = hint;
  field.setAttribute("aria-label", label);
  box.textContent = "";
  box.appendChild(field);
  var loading = false;

  function restore() {
    box.innerHTML = fallback;
  }

  function start() {
    if (loading) {
      return;
    }
    loading = true;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = bundle + "pagefind-ui.css";
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = bundle + "pagefind-ui.js";
    script.onerror = restore; // no index (the dev server builds none): back to the glossary link
    script.onload = function () {
      if (typeof window.PagefindUI !== "function") {
        restore();
        return;
      }
      var typed = field.value;
      box.textContent = "";
      box.classList.add("site-search-ready");
      var ui = new window.PagefindUI({
        element: box,
        showImages: false,
        showSubResults: false,
        translations: { placeholder: hint },
        // Rank by where a word is (an entity's name in its page's heading weighs
        // most) rather than by how often, or how short the page is: otherwise a
        // one-line claim that says "Idlib" outranks the page about Idlib.
        ranking: { pageLength: 0.0, termFrequency: 0.3 },
      });
      // Pagefind's input has a placeholder but no label: give it one.
      var input = box.querySelector("input");
      if (input) {
        input.setAttribute("aria-label", label);
        input.focus();
      }
      if (typed) {
        ui.triggerSearch(typed);
      }
    };
    document.head.appendChild(script);
  }

  field.addEventListener("focus", start);
  field.addEventListener("input", start);
})();
