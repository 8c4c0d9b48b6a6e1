/* Marginalia on the article page. Progressive enhancement: without it the page works as it is
   (the checkbox shows every annotation, a verdict opens by :target, a name is a plain link).
   - "Show all annotations" is remembered across pages.
   - A claim's verdict opens in place: its link becomes a button (WAI-ARIA Authoring Practices,
     Disclosure pattern: aria-expanded, aria-controls).
   - A name shows its entity's card on hover, on keyboard focus, or on a first tap on a touch screen
     (a second tap follows the link). The card follows the APG Tooltip pattern: it describes the name
     (aria-describedby), never takes the focus and hides on Escape. Its link is for the pointer only
     (tabindex -1): each name is one tab stop, and the name itself is the link. After arriving at a
     fragment (article#m-…) hover counts only once the pointer moves. */
(function () {
  "use strict";
  var KEY = "marginalia-annotations";

  function remember() {
    var toggle = document.getElementById("show-annotations");
    if (!toggle) return;
    // The class does what :has(#show-annotations:checked) does, for browsers without :has().
    function show() {
      document.documentElement.classList.toggle("show-all", toggle.checked);
    }
    try {
      toggle.checked = localStorage.getItem(KEY) === "all";
    } catch (e) { /* storage refused: the checkbox works for this page */ }
    show();
    toggle.addEventListener("change", function () {
      show();
      try {
        localStorage.setItem(KEY, toggle.checked ? "all" : "quiet");
      } catch (e) { /* as above */ }
    });
  }

  function verdicts() {
    Array.prototype.forEach.call(document.querySelectorAll("a.verdict[href^='#verdict-']"), function (a) {
      var box = document.getElementById(a.getAttribute("href").slice(1));
      if (!box) return;
      var button = document.createElement("button"), shown = box.matches(":target");
      button.type = "button";
      button.className = a.className;
      while (a.firstChild) button.appendChild(a.firstChild);
      button.setAttribute("aria-controls", box.id);
      button.setAttribute("aria-expanded", String(shown));
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        box.classList.toggle("open", open); // these classes win over :target, which a reader arriving may have set
        box.classList.toggle("closed", !open);
      });
      a.replaceWith(button);
    });
  }

  function cards() {
    if (!document.querySelector(".article-body .mention[data-entity]")) return;
    var card, link, kind, summary, opener = null, timer = 0, touch = false;

    function mentionOf(el) {
      var m = el && el.closest ? el.closest(".mention[data-entity]") : null;
      return m && m.closest(".article-body") ? m : null;
    }
    function entry(m) {
      var li = document.getElementById("entity-" + m.getAttribute("data-entity"));
      return li && li.matches(".entity-list>li") ? li : null;
    }
    function text(el) {
      return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
    }
    function inCard(el) {
      return !!el && card.contains(el);
    }
    function cancel() {
      clearTimeout(timer);
      timer = 0;
    }
    // Close once the pointer has left name and card, unless the keyboard focus holds it.
    function later() {
      if (timer) return;
      timer = setTimeout(function () {
        timer = 0;
        if (document.activeElement !== opener) close();
      }, 300);
    }

    function open(m, ev) {
      var li = entry(m);
      if (!li) return;
      cancel();
      if (opener && opener !== m) {
        opener.removeAttribute("aria-describedby");
        if (!card.hidden) card.parentNode.append(card); // a card put anew is not a card that jumped (no layout shift)
      }
      opener = m;
      var name = li.querySelector(".entity-name"), k = li.querySelector(".kind");
      link.textContent = text(name);
      link.setAttribute("href", (name && name.getAttribute("href")) || "#");
      kind.className = k ? k.className : "kind";
      kind.textContent = text(k);
      kind.hidden = !kind.textContent;
      summary.textContent = text(li.querySelector(".summary"));
      summary.hidden = !summary.textContent;
      card.hidden = false;
      m.setAttribute("aria-describedby", "mention-card");
      place(m, ev);
    }
    function close() {
      cancel();
      if (card.hidden) return;
      card.hidden = true;
      if (opener) opener.removeAttribute("aria-describedby");
    }

    // Below the name's line under the pointer, inside the viewport.
    function place(m, ev) {
      var rects = m.getClientRects(), r = rects[0], i;
      if (!r) return;
      for (i = 0; ev && i < rects.length; i++) {
        if (ev.clientY >= rects[i].top && ev.clientY <= rects[i].bottom) r = rects[i];
      }
      var s = card.style, vw = document.documentElement.clientWidth, vh = window.innerHeight;
      s.left = s.top = "0px";
      var o = card.getBoundingClientRect(), y = r.bottom + 6;
      var x = Math.max(8, Math.min(r.left, vw - o.width - 8));
      if (y + o.height > vh - 8 && r.top - o.height - 6 > 8) y = r.top - o.height - 6;
      s.left = Math.round(x - o.left) + "px";
      s.top = Math.round(y - o.top) + "px";
    }

    card = document.createElement("div");
    card.className = "entity-card";
    card.id = "mention-card";
    card.setAttribute("role", "tooltip");
    card.hidden = true;
    link = document.createElement("a");
    link.className = "entity-card-link";
    link.tabIndex = -1;
    kind = document.createElement("span");
    summary = document.createElement("span");
    summary.className = "entity-card-summary";
    card.append(link, " ", kind, summary);
    (document.querySelector("main") || document.body).append(card); // inside a landmark, like all content

    // Arriving at a fragment scrolls a name under a resting pointer, and the browser reports a move that
    // did not happen (no movement): until the pointer really moves, it opens nothing.
    var arriving = !!location.hash;
    window.addEventListener("hashchange", function () {
      arriving = true;
    });
    document.addEventListener("pointermove", function (e) {
      if (e.pointerType !== "mouse") return;
      if (arriving && !(e.movementX || e.movementY)) return;
      arriving = false;
      var m = mentionOf(e.target);
      if (m && (m !== opener || card.hidden)) open(m, e);
      else if (m || inCard(e.target)) cancel();
      else if (!card.hidden) later();
    });
    document.addEventListener("pointerdown", function (e) {
      touch = e.pointerType === "touch";
      if (!card.hidden && !inCard(e.target) && mentionOf(e.target) !== opener) close();
    });
    document.addEventListener("focusin", function (e) {
      var m = mentionOf(e.target);
      if (m && !touch) open(m);
      else if (!inCard(e.target)) close();
    });
    // On a touch screen the first tap on a name shows its card; a second tap (or the card's link) goes on.
    document.addEventListener("click", function (e) {
      var m = mentionOf(e.target);
      if (!m || !touch || (opener === m && !card.hidden)) return;
      e.preventDefault();
      open(m);
    });
    document.addEventListener("keydown", function (e) {
      touch = false; // the keyboard is in use: focus shows cards again
      if (e.key === "Escape" && !card.hidden) {
        e.preventDefault();
        close();
      }
    });
    window.addEventListener("resize", function () {
      if (!card.hidden) place(opener);
    });
  }

  // A month of many claims (or a year of many events known only by year) has several pages; its own page
  // keeps an anchor for each item on the others (claims/YYYY-MM.html#claim-ID, timeline/YYYY.html#t-ID), in
  // the entry of the page that holds it: go on to that page.
  function claimPages() {
    function follow() {
      var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      var entry = target && target.parentElement;
      if (entry && entry.hasAttribute("data-forward")) location.replace(entry.querySelector("a").href + location.hash);
    }
    follow();
    window.addEventListener("hashchange", follow);
  }

  remember();
  claimPages();
  if (!Element.prototype.replaceWith) return;
  verdicts();
  cards();
})();
