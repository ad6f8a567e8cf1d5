// The navigation folds behind a Menu button on narrow screens. Without this script the
// navigation simply stays open above the page.
document.documentElement.classList.replace("no-js", "js");
const button = document.querySelector(".menu-button");
const nav = document.getElementById("site-nav");
if (button && nav) {
  button.hidden = false;
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
    if (open) nav.querySelector("a")?.focus();
  });
}
