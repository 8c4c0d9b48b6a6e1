// Site search, part two, imported by search.js when a reader first focuses
// the search field: Pagefind's search, and its results in a panel over the
// page, under the field (the page itself never moves). Each result says what
// it is (an article and its year, an entity and its kind, a claim and its
// status), from the filters the templates and search.py give each page and
// record. The field is a combobox: Down and Up move through the results,
// Enter follows one, Escape closes them. Above the results, toggle buttons
// narrow them to a type (articles, entities, claims), then to a year, a kind
// or a status; under them, a button shows the next ones (Pagefind loads the
// data of each result only when asked, so a page of them at a time).
//
// The index is in bundles: the primary one (entity pages) in pagefind/, and
// one per year of articles, listed in pagefind/shards.json and merged into
// the primary's search. The panel's stylesheet, search.css, comes with it.

const PAGE = 8; // results shown at a time: Pagefind fetches the data of each (a file of its own) when asked
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
const PLURALS = { article: "Articles", entity: "Entities", claim: "Claims" };
// The filter that narrows each type further (every claim has a Year too: its article's).
const NARROWER = { article: "Year", entity: "Kind", claim: "Status" };
const NARROWER_LABELS = { Year: "Year of the articles", Kind: "Kind of entity", Status: "Status of the claims" };

// Load Pagefind from BUNDLE (the site's pagefind/ folder) and merge the other bundles into its search;
// return it and the types of result (TYPES) the site has.
async function load(bundle) {
  const pagefind = await import(bundle + "pagefind.js");
  const siteRoot = new URL(bundle).pathname.replace(/pagefind\/$/, "");
  await pagefind.options({ baseUrl: siteRoot, ranking: RANKING, indexWeight: ENTITY_WEIGHT });
  const keys = await fetch(bundle + "shards.json").then((r) => (r.ok ? r.json() : []), () => []);
  await Promise.all((Array.isArray(keys) ? keys : []).map((key) => pagefind.mergeIndex(bundle + key + "/", { ranking: RANKING })));
  // Loads every filter's index: a search counts its results by the values of only the filters loaded.
  const filters = await pagefind.filters();
  return { pagefind, types: Object.keys(TYPES).filter((type) => (filters.Type || {})[type]) };
}

const EXCERPT_WORDS = 30; // as many as Pagefind's own excerpts

// Return where, among the WORDS of the text of RESULT (Pagefind's data of it), the words worth showing
// start and end: not the title the result shows above them, with an entity's kind after it (its
// heading), nor a claim's status and claimant (its record's last words), which the result shows apart.
function useful(result, words) {
  const filters = result.filters || {};
  const type = (filters.Type || [])[0];
  const bare = (word) => (word || "").replace(/\.$/, ""); // Pagefind ends a heading with a full stop
  let first = words[0] === "" ? 1 : 0;
  const title = (result.meta.title || "").split(/\s+/).filter(Boolean);
  if (title.length && title.every((word, i) => bare(word) === bare(words[first + i]))) {
    first += title.length;
  }
  if (type === "entity" && bare(words[first]) === (filters.Kind || [])[0]) {
    first += 1;
  }
  const status = type === "claim" ? words.lastIndexOf("Status:") : -1;
  return [first, status >= first ? status : words.length];
}

// Return the excerpt of RESULT: the useful words around those found, which are marked.
function excerpt(result) {
  // Split as Pagefind splits (its locations count these words); a text of words without spaces (Chinese...) is left to it.
  const words = (result.content || "").split(/[\r\n\s]+/g);
  if (!result.content || result.content.includes("\u200B")) {
    return marked(result.excerpt || "");
  }
  const [first, end] = useful(result, words);
  const found = (result.locations || []).filter((at) => at >= first && at < end);
  const inWindow = (from) => found.filter((at) => at >= from && at < from + EXCERPT_WORDS).length;
  let start = first;
  for (const at of found) { // the window with the most words found, a few words of context before the first
    const from = Math.max(first, Math.min(at - 3, end - EXCERPT_WORDS));
    if (inWindow(from) > inWindow(start)) {
      start = from;
    }
  }
  const shown = words.slice(start, Math.min(end, start + EXCERPT_WORDS));
  if (result.meta.title && shown.join(" ").replace(/^“|”$/g, "") === result.meta.title) {
    return []; // a claim whose quote is its summary: the title says it all
  }
  const nodes = [];
  let text = start > first ? "… " : "";
  shown.forEach((word, i) => {
    if (found.includes(start + i)) {
      const mark = document.createElement("mark");
      mark.textContent = word;
      nodes.push(document.createTextNode(text), mark);
      text = "";
    } else {
      text += word;
    }
    text += i < shown.length - 1 ? " " : "";
  });
  nodes.push(document.createTextNode(text));
  return nodes;
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
  link.append(label, span("site-search-title", result.meta.title || result.url));
  const words = excerpt(result);
  if (words.length) {
    link.append(span("site-search-excerpt", ...words));
  }
  if (type === "claim" && result.meta.article) {
    const by = result.meta.claimant ? `Claimed by ${result.meta.claimant} · ` : "";
    link.append(span("site-search-from", by + "In “" + result.meta.article + "”"));
  }
  return link;
}

// Return a toggle button of the filters, saying LABEL and COUNT, pressed or not, that calls PRESS.
function chip(label, count, pressed, press) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "site-search-chip";
  button.dataset.chip = label;
  button.setAttribute("aria-pressed", String(pressed));
  button.append(label + " ", span("site-search-chip-count", String(count)));
  button.addEventListener("click", press);
  return button;
}

function group(label, ...chips) {
  const row = document.createElement("div");
  row.className = "site-search-filters";
  row.setAttribute("role", "group");
  row.setAttribute("aria-label", label);
  row.append(...chips);
  return row;
}

// Load the panel's stylesheet (search.css, beside this script): the pages need it only once a reader searches.
function style() {
  return new Promise((resolve) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("search.css", import.meta.url).href;
    link.addEventListener("load", resolve);
    link.addEventListener("error", resolve);
    document.head.append(link);
  });
}

// Search from FIELD in BOX, announcing counts in STATUS, with the index in BUNDLE; resolve once the index is loaded.
export async function start(box, field, status, bundle) {
  const [{ pagefind, types }] = await Promise.all([load(bundle), style()]);
  const panel = document.createElement("div");
  panel.className = "site-search-panel";
  panel.hidden = true;
  const count = document.createElement("p");
  count.className = "site-search-count";
  // Made anew for each search, with the filters and the "show more" button: whatever a search
  // changes is new, not moved, so that nothing shifts even inside the panel.
  let body = document.createElement("div");
  let list = document.createElement("div");
  panel.append(count, body);
  box.append(panel);
  box.classList.add("site-search-ready");
  let searched = 0; // the number of the latest search, so that a slow one answers no later query
  const chosen = { type: "", value: "" }; // the type pressed, and the year, kind or status
  let shown = { query: "", results: [], data: [] }; // the latest search's results, and the data of those shown

  const options = () => Array.from(list.querySelectorAll("[role=option]"));
  const active = () => options().findIndex((each) => each.getAttribute("aria-selected") === "true");

  function activate(index) {
    options().forEach((each, i) => each.setAttribute("aria-selected", String(i === index)));
    const target = options()[index];
    if (target && document.activeElement !== field) {
      target.focus(); // the focus is in the results (after "show more"): it moves from one to the next
    } else if (target) {
      field.setAttribute("aria-activedescendant", target.id);
      target.scrollIntoView({ block: "nearest" });
    } else {
      field.removeAttribute("aria-activedescendant");
    }
  }

  function open(opened) {
    panel.hidden = !opened;
    if (opened) {
      // As tall as the window leaves it: the results scroll in the panel, and the page stays where it is.
      panel.style.maxHeight = Math.max(innerHeight - panel.getBoundingClientRect().top - 8, 160) + "px";
    }
    field.setAttribute("aria-expanded", String(opened));
    activate(-1);
  }

  function announce() {
    const { query, results, data } = shown;
    let message = "";
    if (query) {
      const total = results.length;
      message = total ? `${total} result${total === 1 ? "" : "s"} for ${query}` : `No results for ${query}`;
      if (chosen.type) {
        message += ` among ${PLURALS[chosen.type].toLowerCase()}` + (chosen.value ? ` (${chosen.value})` : "");
      }
      message += total > data.length ? `, the first ${data.length} shown` : data.length > PAGE ? ", all shown" : "";
    }
    status.textContent = count.textContent = message;
  }

  function choose(type, value) {
    chosen.type = type;
    chosen.value = value;
    search();
  }

  // Return the rows of toggle buttons for the search FOUND (without the narrower filter, which counts its values).
  function filters(found) {
    const byType = (found.totalFilters || {}).Type || {};
    const rows = [
      group(
        "Show only",
        chip("All", found.unfilteredResultCount, !chosen.type, () => choose("", "")),
        ...types.map((type) =>
          chip(PLURALS[type], byType[type] || 0, chosen.type === type, () => choose(chosen.type === type ? "" : type, ""))
        )
      ),
    ];
    const narrower = NARROWER[chosen.type];
    const counts = Object.entries((found.filters || {})[narrower] || {}).filter(([value, n]) => n || value === chosen.value);
    if (counts.length) {
      counts.sort(([a, m], [b, n]) => (narrower === "Year" ? b.localeCompare(a) : n - m || a.localeCompare(b)));
      const value = (v) => () => choose(chosen.type, chosen.value === v ? "" : v);
      rows.push(group(NARROWER_LABELS[narrower], ...counts.map(([v, n]) => chip(v, n, chosen.value === v, value(v)))));
    }
    return rows;
  }

  function moreButton() {
    const left = shown.results.length - shown.data.length;
    if (left <= 0) {
      return [];
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "site-search-more";
    button.textContent = `Show ${Math.min(left, PAGE)} more`;
    button.addEventListener("click", more, { once: true });
    return [button];
  }

  async function search() {
    const query = field.value.trim();
    const number = ++searched;
    const byType = chosen.type ? { Type: chosen.type } : {};
    const found = query ? await pagefind.debouncedSearch(query, { filters: byType }, 150) : null;
    if (number !== searched || (query && !found)) {
      return; // a later keystroke made this search moot
    }
    const narrowed =
      found && chosen.value ? await pagefind.search(query, { filters: { ...byType, [NARROWER[chosen.type]]: chosen.value } }) : found;
    const results = narrowed ? narrowed.results : [];
    const data = await Promise.all(results.slice(0, PAGE).map((result) => result.data()));
    if (number !== searched) {
      return;
    }
    shown = { query, results, data };
    const focused = body.contains(document.activeElement) && document.activeElement.dataset.chip;
    list = document.createElement("div");
    list.id = "site-search-results";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Search results");
    list.append(...data.map(option));
    const fresh = document.createElement("div");
    fresh.append(...(found && found.unfilteredResultCount ? filters(found) : []), list, ...moreButton());
    body.replaceWith(fresh);
    body = fresh;
    if (focused) {
      (Array.from(body.querySelectorAll("[data-chip]")).find((each) => each.dataset.chip === focused) || field).focus();
    }
    announce();
    open(Boolean(query));
  }

  // Show the next page of results; the focus moves to the first of them.
  async function more(event) {
    const number = searched;
    const from = shown.data.length;
    const next = await Promise.all(shown.results.slice(from, from + PAGE).map((result) => result.data()));
    if (number !== searched) {
      return;
    }
    shown.data.push(...next);
    list.append(...next.map((result, i) => option(result, from + i)));
    activate(-1);
    options()[from].focus();
    event.target.replaceWith(...moreButton()); // a new one, below: the one clicked would move
    announce();
  }

  field.addEventListener("input", search);
  field.addEventListener("focus", () => {
    if (field.value.trim() && shown.query) {
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
  // In the panel (a filter, a result the focus moved to): Down and Up move through the results, Escape goes back to the field.
  panel.addEventListener("keydown", (event) => {
    const current = options().indexOf(document.activeElement);
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && current >= 0) {
      event.preventDefault();
      const all = options().length;
      activate((current + (event.key === "ArrowDown" ? 1 : -1) + all) % all);
    } else if (event.key === "Escape") {
      event.preventDefault();
      field.focus();
      open(false);
    }
  });
  panel.addEventListener("focusin", (event) => {
    if (options().includes(event.target)) {
      options().forEach((each) => each.setAttribute("aria-selected", String(each === event.target)));
      field.removeAttribute("aria-activedescendant");
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
