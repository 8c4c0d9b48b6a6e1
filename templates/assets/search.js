// Site search. Without JavaScript, or when the site is opened from disk, the
// header keeps its link to the glossary. Otherwise the link becomes a search
// field, and Pagefind's UI (about 130 KB) is loaded only when a reader first
// focuses it, so pages stay light. Pagefind's files sit in pagefind/ beside
// assets/, found from this script's own address, so the site may live in a
// subfolder. The index is in bundles: the primary one (entity pages) in
// pagefind/, and one per year of articles, listed in pagefind/shards.json and
// merged into the primary's search.
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
  // Rank by where a word is (an entity's name in its page's heading weighs
  // most) rather than by how often, or how short the page is: otherwise a
  // one-line claim that says "Idlib" outranks the page about Idlib.
  var ranking = { pageLength: 0.0, termFrequency: 0.3 };
  // Each bundle weighs a word by how rare it is in that bundle alone. The
  // entity pages' bundle is small, where a name is rare: counted half again,
  // its pages come first for their own names, as they did in one index.
  var entityWeight = 1.5;

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
    var shards = window.fetch(bundle + "shards.json").then(function (response) {
      return response.ok ? response.json() : [];
    }).catch(function () {
      return [];
    });
    var script = document.createElement("script");
    script.src = bundle + "pagefind-ui.js";
    script.onerror = restore; // no index (the dev server builds none): back to the glossary link
    script.onload = function () {
      if (typeof window.PagefindUI !== "function") {
        restore();
        return;
      }
      shards.then(show);
    };
    document.head.appendChild(script);
  }

  function show(keys) {
    var typed = field.value;
    box.textContent = "";
    box.classList.add("site-search-ready");
    var ui = new window.PagefindUI({
      element: box,
      showImages: false,
      showSubResults: false,
      translations: { placeholder: hint },
      ranking: ranking,
      indexWeight: entityWeight,
      mergeIndex: (Array.isArray(keys) ? keys : []).map(function (key) {
        return { bundlePath: bundle + key + "/", ranking: ranking };
      }),
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
  }

  field.addEventListener("focus", start);
  field.addEventListener("input", start);
})();
