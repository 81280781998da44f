// Keyboard: "/" puts the cursor in the page's query box (as on many search sites). The pages work without it.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
  const box = document.querySelector('input[name="q"]');
  if (box) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});
