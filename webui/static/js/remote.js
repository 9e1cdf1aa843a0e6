// hasRemoteContent tells whether an HTML body refers to remote resources
// (images, stylesheets, backgrounds, fonts), so the view can say they were
// blocked. It parses with DOMParser: the resulting document is inert (no
// script runs, nothing loads) and is never attached to the page.

const remoteURL = /^\s*(https?:)?\/\//i;
const cssURL = /url\(\s*['"]?\s*(https?:)?\/\//i;
const cssImport = /@import\s+(url\()?\s*['"]?\s*(https?:)?\/\//i;

export function hasRemoteContent(html) {
  if (!html) return false;
  let doc;
  try {
    doc = new DOMParser().parseFromString(html, "text/html");
  } catch {
    return /(src|background)\s*=\s*["']?\s*(https?:)?\/\//i.test(html);
  }
  for (const el of doc.querySelectorAll("[src],[srcset],[background],[poster],link[href],[style],image,use")) {
    for (const a of ["src", "background", "poster"]) {
      if (remoteURL.test(el.getAttribute(a) || "")) return true;
    }
    const srcset = el.getAttribute("srcset");
    if (srcset && srcset.split(",").some((s) => remoteURL.test(s))) return true;
    if (el.localName === "link" && remoteURL.test(el.getAttribute("href") || "")) return true;
    const style = el.getAttribute("style");
    if (style && cssURL.test(style)) return true;
    const href = el.getAttribute("href") || el.getAttribute("xlink:href");
    if ((el.localName === "image" || el.localName === "use") && remoteURL.test(href || "")) return true;
  }
  for (const s of doc.querySelectorAll("style")) {
    if (cssURL.test(s.textContent) || cssImport.test(s.textContent)) return true;
  }
  return false;
}
