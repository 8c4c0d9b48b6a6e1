// Site search: replaces the header's link to the glossary with Pagefind's
// search box. Without JavaScript, when the site is opened from disk, or where
// the search index is missing, the link stays. Pagefind finds its index
// beside pagefind-ui.js and the site's root from there, so the site may live
// in a subfolder.
(function () {
  "use strict";
  var box = document.getElementById("site-search");
  // Opened from disk (file://), the browser will not let Pagefind fetch its index: keep the link.
  if (!box || typeof window.PagefindUI !== "function" || !/^https?:$/.test(location.protocol)) {
    return;
  }
  var fallback = box.innerHTML;
  try {
    box.textContent = "";
    box.classList.add("site-search-ready");
    new window.PagefindUI({
      element: box,
      showImages: false,
      showSubResults: false,
      translations: { placeholder: "Search articles, names and claims" },
      // Rank by where a word is (an entity's name in its page's heading weighs
      // most) rather than by how often, or how short the page is: otherwise a
      // one-line claim that says "Idlib" outranks the page about Idlib.
      ranking: { pageLength: 0.0, termFrequency: 0.3 },
    });
    // Pagefind's input has a placeholder but no label: give it one.
    var input = box.querySelector("input");
    if (input) {
      input.setAttribute("aria-label", "Search this site");
    }
  } catch (error) {
    box.innerHTML = fallback;
    box.classList.remove("site-search-ready");
    throw error;
  }
})();
