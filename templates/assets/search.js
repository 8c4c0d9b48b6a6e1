// Site search. Without JavaScript, or when the site is opened from disk, the
// header keeps its link to the glossary. Otherwise the link becomes a search
// field (a combobox), and Pagefind's search API (pagefind.js, which loads its
// index piece by piece) is imported only when a reader first focuses it, so
// pages stay light. The results open in a panel over the page, under the
// field: the page itself never moves. Each says what it is (an article, an
// entity and its kind, a claim and its status), from the filters the
// templates and search.py give each page and record.
//
// Pagefind's files sit in pagefind/ beside assets/, found from this script's
// own address, so the site may live in a subfolder. The index is in bundles:
// the primary one (entity pages) in pagefind/, and one per year of articles,
// listed in pagefind/shards.json and merged into the primary's search.
(function () {
  "use strict";
  var box = document.getElementById("site-search");
  var me = document.currentScript;
  if (!box || !me || !/^https?:$/.test(location.protocol)) {
    return;
  }
  var bundle = me.src.replace(/assets\/search\.js(\?.*)?$/, "pagefind/");
  var siteRoot = new URL(bundle).pathname.replace(/pagefind\/$/, "");
  var MAX_SHOWN = 8;
  // Rank by where a word is (an entity's name in its page's heading weighs
  // most) rather than by how often, or how short the page is: otherwise a
  // one-line claim that says "Idlib" outranks the page about Idlib. An
  // article's "names" (the entities it mentions, see templates/article.html)
  // count a little, so that the article about a person comes with them.
  var ranking = { pageLength: 0.0, termFrequency: 0.3, metaWeights: { names: 1.0 } };
  // Each bundle weighs a word by how rare it is in that bundle alone. The
  // entity pages' bundle is small, where a name is rare: counted twice, its
  // pages come first for their own names, as they did in one index.
  var entityWeight = 2.0;
  var TYPES = { article: "Article", entity: "Entity", claim: "Claim" };

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
  var panel = document.createElement("div");
  panel.className = "site-search-panel";
  panel.hidden = true;
  var count = document.createElement("p");
  count.className = "site-search-count";
  var list = document.createElement("div");
  list.id = "site-search-results";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Search results");
  panel.append(count, list);
  // Announced to screen readers as the results change; always in the page, as a live region must be.
  var status = document.createElement("p");
  status.className = "site-search-status";
  status.setAttribute("role", "status");
  box.textContent = "";
  box.append(field, status, panel);
  box.classList.add("site-search-ready");

  var pagefind = null;
  var searched = 0; // the number of the latest search, so that a slow one answers no later query

  function load() {
    if (!pagefind) {
      pagefind = import(bundle + "pagefind.js").then(function (api) {
        return api.options({ baseUrl: siteRoot, ranking: ranking, indexWeight: entityWeight }).then(function () {
          return window.fetch(bundle + "shards.json");
        }).then(function (response) {
          return response.ok ? response.json() : [];
        }).catch(function () {
          return [];
        }).then(function (keys) {
          return Promise.all((Array.isArray(keys) ? keys : []).map(function (key) {
            return api.mergeIndex(bundle + key + "/", { ranking: ranking });
          }));
        }).then(function () {
          return api;
        });
      });
      pagefind.catch(function () {
        box.innerHTML = fallback; // no index (the dev server builds none until it has): back to the glossary link
      });
    }
    return pagefind;
  }

  function search() {
    var query = field.value.trim();
    var number = ++searched;
    if (!query) {
      show(number, query, [], 0);
      return;
    }
    load().then(function (api) {
      return api.debouncedSearch(query, {}, 150);
    }).then(function (found) {
      if (!found || number !== searched) {
        return; // a later keystroke made this search moot
      }
      return Promise.all(found.results.slice(0, MAX_SHOWN).map(function (result) {
        return result.data();
      })).then(function (data) {
        show(number, query, data, found.results.length);
      });
    }).catch(function () {});
  }

  function show(number, query, data, total) {
    if (number !== searched) {
      return;
    }
    list.textContent = "";
    if (!query) {
      status.textContent = count.textContent = "";
      close();
      return;
    }
    var message = total === 0 ? "No results for " + query
      : total + (total === 1 ? " result" : " results") + " for " + query
        + (total > data.length ? ", the first " + data.length + " shown" : "");
    status.textContent = count.textContent = message;
    data.forEach(function (result, i) {
      list.appendChild(option(result, i));
    });
    open();
  }

  function option(result, i) {
    var link = document.createElement("a");
    link.className = "site-search-result";
    link.href = result.url;
    link.id = "site-search-result-" + i;
    link.tabIndex = -1;
    link.setAttribute("role", "option");
    link.setAttribute("aria-selected", "false");
    var filters = result.filters || {};
    var type = (filters.Type || [])[0];
    var label = document.createElement("span");
    label.className = "site-search-type";
    label.textContent = [TYPES[type] || "Page"].concat(filters.Kind || filters.Status || filters.Year || []).join(" · ");
    if (type) {
      label.classList.add("site-search-type-" + type);
    }
    var title = document.createElement("span");
    title.className = "site-search-title";
    title.textContent = result.meta.title || result.url;
    var excerpt = document.createElement("span");
    excerpt.className = "site-search-excerpt";
    excerpt.append.apply(excerpt, marked(result.excerpt || ""));
    link.append(label, title, excerpt);
    if (type === "claim" && result.meta.article) {
      var from = document.createElement("span");
      from.className = "site-search-from";
      from.textContent = "In “" + result.meta.article + "”";
      link.appendChild(from);
    }
    return link;
  }

  // Pagefind's excerpt is escaped text with <mark> around the words found: keep those, as elements, and nothing else.
  function marked(excerpt) {
    var parsed = new DOMParser().parseFromString("<p>" + excerpt + "</p>", "text/html").body.firstChild;
    return Array.prototype.map.call(parsed ? parsed.childNodes : [], function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        return mark;
      }
      return document.createTextNode(node.textContent);
    });
  }

  function options() {
    return list.querySelectorAll("[role=option]");
  }

  function activate(index) {
    var all = options();
    Array.prototype.forEach.call(all, function (each, i) {
      each.setAttribute("aria-selected", String(i === index));
    });
    if (index < 0 || index >= all.length) {
      field.removeAttribute("aria-activedescendant");
      return;
    }
    field.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function active() {
    var id = field.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function open() {
    panel.hidden = false;
    field.setAttribute("aria-expanded", "true");
    activate(-1);
  }

  function close() {
    panel.hidden = true;
    field.setAttribute("aria-expanded", "false");
    activate(-1);
  }

  field.addEventListener("focus", function () {
    load();
    if (field.value.trim() && list.firstChild) {
      open();
    }
  });
  field.addEventListener("input", search);
  field.addEventListener("keydown", function (event) {
    var all = options(), current = Array.prototype.indexOf.call(all, active());
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) {
        return;
      }
      event.preventDefault();
      if (panel.hidden) {
        open();
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      activate(current < 0 ? (step > 0 ? 0 : all.length - 1) : (current + step + all.length) % all.length);
    } else if (event.key === "Escape") {
      if (!panel.hidden) {
        event.preventDefault(); // a search field clears itself on Escape: the first one only closes the results
        close();
      }
    } else if (event.key === "Enter" && current >= 0 && !panel.hidden) {
      event.preventDefault();
      all[current].click();
    }
  });
  // A click or a tab out of the search closes the results; a click on a result follows it first.
  document.addEventListener("pointerdown", function (event) {
    if (!box.contains(event.target)) {
      close();
    }
  });
  box.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !box.contains(event.relatedTarget)) {
      close();
    }
  });
})();
