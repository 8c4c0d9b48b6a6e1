// Site search, part two, imported by search.js when a reader first focuses
// the search field: Pagefind's search, and its results in a panel over the
// page, under the field (the page itself never moves). Each result says what
// it is (an article and its year, an entity and its kind, a claim and its
// status), from the filters the templates and search.py give each page and
// record. The field is a combobox: Down and Up move through the results,
// Enter follows one, Escape closes them.
//
// The index is in bundles: the primary one (entity pages) in pagefind/, and
// one per year of articles, listed in pagefind/shards.json and merged into
// the primary's search.

const MAX_SHOWN = 8;
// Rank by where a word is (an entity's name in its page's heading weighs
// most) rather than by how often, or how short the page is: otherwise a
// one-line claim that says "Idlib" outranks the page about Idlib. An
// article's "names" (the entities it mentions, see templates/article.html)
// count a little, so that the article about a person comes with them.
const RANKING = { pageLength: 0.0, termFrequency: 0.3, metaWeights: { names: 1.0 } };
// Each bundle weighs a word by how rare it is in that bundle alone. The
// entity pages' bundle is small, where a name is rare: counted twice, its
// pages come first for their own names, as they did in one index.
const ENTITY_WEIGHT = 2.0;
const TYPES = { article: "Article", entity: "Entity", claim: "Claim" };

// Load Pagefind from BUNDLE (the site's pagefind/ folder) and merge the other bundles into its search.
async function load(bundle) {
  const pagefind = await import(bundle + "pagefind.js");
  const siteRoot = new URL(bundle).pathname.replace(/pagefind\/$/, "");
  await pagefind.options({ baseUrl: siteRoot, ranking: RANKING, indexWeight: ENTITY_WEIGHT });
  const keys = await fetch(bundle + "shards.json").then((r) => (r.ok ? r.json() : []), () => []);
  await Promise.all((Array.isArray(keys) ? keys : []).map((key) => pagefind.mergeIndex(bundle + key + "/", { ranking: RANKING })));
  return pagefind;
}

// Pagefind's excerpt is escaped text with <mark> around the words found: keep those, as elements, and nothing else.
function marked(excerpt) {
  const parsed = new DOMParser().parseFromString("<p>" + excerpt + "</p>", "text/html").body.firstChild;
  return Array.from(parsed ? parsed.childNodes : [], (node) => {
    if (node.nodeName !== "MARK") {
      return document.createTextNode(node.textContent);
    }
    const mark = document.createElement("mark");
    mark.textContent = node.textContent;
    return mark;
  });
}

function span(className, ...children) {
  const element = document.createElement("span");
  element.className = className;
  element.append(...children);
  return element;
}

// Return the option of the search result RESULT (Pagefind's data of it), the Ith shown.
function option(result, i) {
  const filters = result.filters || {};
  const type = (filters.Type || [])[0];
  const link = document.createElement("a");
  link.className = "site-search-result";
  link.href = result.url;
  link.id = "site-search-result-" + i;
  link.tabIndex = -1;
  link.setAttribute("role", "option");
  link.setAttribute("aria-selected", "false");
  const label = span("site-search-type", [TYPES[type] || "Page", ...(filters.Kind || filters.Status || filters.Year || [])].join(" · "));
  link.append(label, span("site-search-title", result.meta.title || result.url), span("site-search-excerpt", ...marked(result.excerpt || "")));
  if (type === "claim" && result.meta.article) {
    link.append(span("site-search-from", "In “" + result.meta.article + "”"));
  }
  return link;
}

// Search from FIELD in BOX, announcing counts in STATUS, with the index in BUNDLE; resolve once the index is loaded.
export async function start(box, field, status, bundle) {
  const pagefind = await load(bundle);
  const panel = document.createElement("div");
  panel.className = "site-search-panel";
  panel.hidden = true;
  const count = document.createElement("p");
  count.className = "site-search-count";
  const list = document.createElement("div");
  list.id = "site-search-results";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Search results");
  panel.append(count, list);
  box.append(panel);
  box.classList.add("site-search-ready");
  let searched = 0; // the number of the latest search, so that a slow one answers no later query

  const options = () => Array.from(list.querySelectorAll("[role=option]"));
  const active = () => options().findIndex((each) => each.getAttribute("aria-selected") === "true");

  function activate(index) {
    options().forEach((each, i) => each.setAttribute("aria-selected", String(i === index)));
    const chosen = options()[index];
    if (chosen) {
      field.setAttribute("aria-activedescendant", chosen.id);
      chosen.scrollIntoView({ block: "nearest" });
    } else {
      field.removeAttribute("aria-activedescendant");
    }
  }

  function open(opened) {
    panel.hidden = !opened;
    field.setAttribute("aria-expanded", String(opened));
    activate(-1);
  }

  async function search() {
    const query = field.value.trim();
    const number = ++searched;
    const found = query ? await pagefind.debouncedSearch(query, {}, 150) : { results: [] };
    if (!found || number !== searched) {
      return; // a later keystroke made this search moot
    }
    const shown = await Promise.all(found.results.slice(0, MAX_SHOWN).map((result) => result.data()));
    if (number !== searched) {
      return;
    }
    const total = found.results.length;
    let message = "";
    if (query) {
      message = total ? `${total} result${total === 1 ? "" : "s"} for ${query}` : `No results for ${query}`;
      message += total > shown.length ? `, the first ${shown.length} shown` : "";
    }
    status.textContent = count.textContent = message;
    list.replaceChildren(...shown.map(option));
    open(Boolean(query));
  }

  field.addEventListener("input", search);
  field.addEventListener("focus", () => {
    if (field.value.trim() && list.firstChild) {
      open(true);
    }
  });
  field.addEventListener("keydown", (event) => {
    const all = options();
    const current = active();
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && all.length) {
      event.preventDefault();
      if (panel.hidden) {
        open(true);
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      activate(current < 0 ? (step > 0 ? 0 : all.length - 1) : (current + step + all.length) % all.length);
    } else if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault(); // a search field clears itself on Escape: the first one only closes the results
      open(false);
    } else if (event.key === "Enter" && current >= 0 && !panel.hidden) {
      event.preventDefault();
      all[current].click();
    }
  });
  // A click or a tab out of the search closes the results; a click on a result follows it first.
  document.addEventListener("pointerdown", (event) => {
    if (!box.contains(event.target)) {
      open(false);
    }
  });
  box.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !box.contains(event.relatedTarget)) {
      open(false);
    }
  });
  if (field.value.trim()) {
    search(); // typed while the index loaded
  }
}
