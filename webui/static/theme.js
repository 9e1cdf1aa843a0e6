// Applies the saved theme before first paint (a classic script on purpose:
// modules are deferred and would let the page flash in the wrong theme).
(function () {
  try {
    var t = localStorage.getItem("intray.theme");
    if (t === "light" || t === "dark") document.documentElement.dataset.theme = t;
  } catch (e) { /* storage blocked: follow the system */ }
})();
