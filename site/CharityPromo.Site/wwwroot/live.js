// Refreshes the figures marked data-live every few seconds. Without it, the page is complete as served.
(() => {
  const root = document.querySelector("[data-live-src]");
  if (!root || !window.fetch) return;
  const every = Math.max(1, Number(root.dataset.liveEvery) || 5) * 1000;
  const set = (name, value) => root.querySelectorAll(`[data-live="${name}"]`).forEach(el => {
    if (el.tagName === "PROGRESS") { el.value = value; el.setAttribute("aria-label", `${value}% of the goal raised`); }
    else if (el.textContent !== String(value)) el.textContent = value;
  });
  const tick = async () => {
    try {
      const response = await fetch(root.dataset.liveSrc, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const f = await response.json();
        set("raised", f.raised); set("pending", f.pending); set("percent", f.percent);
        set("progress", f.percent); set("purchases", f.purchases);
      }
    } catch { /* offline for a moment: keep what is shown */ }
    setTimeout(tick, every);
  };
  setTimeout(tick, every);
})();
