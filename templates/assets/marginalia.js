/* Marginalia: entity cards on mentions, built from the article's entity list.
   Progressive enhancement: without it mentions are plain links. */
(function () {
  "use strict";
  var mentions = document.querySelectorAll(".mention[data-entity]");
  if (!mentions.length || !Element.prototype.after) return;
  var card, link, kind, summary, opener = null, timer = 0, muted = false;

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

  function build() {
    card = document.createElement("div");
    card.className = "entity-card";
    card.id = "mention-card";
    card.setAttribute("role", "dialog");
    card.hidden = true;
    link = document.createElement("a");
    link.className = "entity-card-link";
    kind = document.createElement("span");
    summary = document.createElement("span");
    summary.className = "entity-card-summary";
    card.append(link, " ", kind, summary);
    card.addEventListener("mouseenter", cancel);
    card.addEventListener("mouseleave", later);
    card.addEventListener("focusout", focusOut);
  }
  function cancel() {
    clearTimeout(timer);
  }
  // Close once the pointer has left mention and card, unless focus holds it.
  function later() {
    cancel();
    timer = setTimeout(function () {
      var a = document.activeElement;
      if (a !== opener && !inCard(a)) close();
    }, 300);
  }

  function open(m, ev) {
    var li = entry(m);
    if (!li) return;
    cancel();
    if (ev && !card.hidden && inCard(document.activeElement)) return;
    if (opener && opener !== m) release(opener);
    opener = m;
    var name = li.querySelector(".entity-name"), k = li.querySelector(".kind");
    link.textContent = text(name);
    link.setAttribute("href", m.getAttribute("href") || (name && name.getAttribute("href")) || "#");
    kind.className = k ? k.className : "kind";
    kind.textContent = text(k);
    kind.hidden = !kind.textContent;
    summary.textContent = text(li.querySelector(".summary"));
    summary.hidden = !summary.textContent;
    card.setAttribute("aria-label", link.textContent);
    // Right after the mention (or the link it sits in): Tab goes on into the card.
    var anchor = m.closest("a") || m;
    if (anchor.nextSibling !== card) anchor.after(card);
    card.hidden = false;
    m.setAttribute("aria-expanded", "true");
    m.setAttribute("aria-controls", "mention-card");
    m.setAttribute("aria-describedby", "mention-card");
    place(m, ev);
  }
  function release(m) {
    m.setAttribute("aria-expanded", "false");
    m.removeAttribute("aria-describedby");
  }

  // Below the mention's line under the pointer, inside the viewport.
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

  function close(refocus) {
    cancel();
    if (card.hidden) return;
    var m = opener;
    if (refocus || inCard(document.activeElement)) {
      muted = true;
      m.focus();
      muted = false;
    }
    card.hidden = true;
    release(m);
    document.body.append(card); // out of the text it sat in
  }
  function focusOut(e) {
    var to = e.relatedTarget;
    if (card.hidden || to === opener || inCard(to)) return;
    if (!to && (card.matches(":hover") || opener.matches(":hover"))) return;
    close();
  }
  function onFocus(e) {
    var m = e.currentTarget;
    if (muted) return;
    // Shift-Tab out of the card lands on its mention: close the card there.
    if (!card.hidden && opener === m && inCard(e.relatedTarget)) close();
    else open(m);
  }

  build();
  document.body.append(card);
  Array.prototype.forEach.call(mentions, function (m) {
    m.addEventListener("mouseenter", function (e) { open(m, e); });
    m.addEventListener("mouseleave", function () { if (opener === m) later(); });
    m.addEventListener("focus", onFocus);
    m.addEventListener("focusout", focusOut);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !card.hidden) {
      e.preventDefault();
      close(true);
    }
  });
  document.addEventListener("pointerdown", function (e) {
    if (!card.hidden && !inCard(e.target) && !opener.contains(e.target)) close();
  });
  window.addEventListener("resize", function () {
    if (!card.hidden) place(opener);
  });
})();
