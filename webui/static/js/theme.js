// The theme toggle: light or dark, starting from the saved choice or the
// system's prefers-color-scheme, saved in localStorage.

const key = "intray.theme";
const media = matchMedia("(prefers-color-scheme: dark)");

const current = () => document.documentElement.dataset.theme || (media.matches ? "dark" : "light");

export function initTheme(button) {
  const render = () => {
    const next = current() === "dark" ? "light" : "dark";
    button.setAttribute("aria-label", `Switch to ${next} theme`);
    button.title = `Switch to ${next} theme`;
    button.dataset.current = current();
  };
  button.addEventListener("click", () => {
    const next = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem(key, next); } catch { /* private mode */ }
    render();
  });
  media.addEventListener("change", render);
  render();
}
