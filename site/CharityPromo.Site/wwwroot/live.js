// Keeps the figures marked data-live current. Without it, the page is complete as served.
// Where the browser has EventSource the site pushes each change (server-sent events); otherwise it polls.
(() => {
  const root = document.querySelector("[data-live-src]");
  if (!root || !window.fetch) return;
  const every = Math.max(1, Number(root.dataset.liveEvery) || 5) * 1000;
  const set = (name, value) => root.querySelectorAll(`[data-live="${name}"]`).forEach(el => {
    if (el.tagName === "PROGRESS") { el.value = value; el.setAttribute("aria-label", `${value}% of the goal raised`); }
    else if (el.textContent !== String(value)) el.textContent = value;
  });
  const show = f => { set("raised", f.raised); set("pending", f.pending); set("percent", f.percent); set("progress", f.percent); set("purchases", f.purchases); };
  const poll = async () => {
    try {
      const response = await fetch(root.dataset.liveSrc, { headers: { Accept: "application/json" } });
      if (response.ok) show(await response.json());
    } catch { /* offline for a moment: keep what is shown */ }
    setTimeout(poll, every);
  };
  if (window.EventSource && root.dataset.liveStream) {
    const stream = new EventSource(root.dataset.liveStream);
    stream.onmessage = e => show(JSON.parse(e.data));
    // The browser reconnects by itself after a drop; a stream the site refused for good falls back to polling.
    stream.onerror = () => { if (stream.readyState === EventSource.CLOSED) setTimeout(poll, every); };
  } else {
    setTimeout(poll, every);
  }
})();
