// The "Share this page" link (Pages/Shared/_Share.cshtml): the share sheet where there is one, else copy the link.
// Without script it stays a plain link to the page.
(() => {
  document.querySelectorAll("[data-share]").forEach(link => {
    const status = link.parentElement.querySelector(".share-status");
    const say = text => { if (status) status.textContent = text; };
    link.addEventListener("click", async event => {
      const data = { title: document.title, text: link.dataset.shareText || "", url: link.href };
      if (navigator.share && (!navigator.canShare || navigator.canShare(data))) {
        event.preventDefault();
        try { await navigator.share(data); } catch { /* the shopper closed the sheet */ }
      } else if (navigator.clipboard && window.isSecureContext !== false) {
        event.preventDefault();
        try { await navigator.clipboard.writeText(link.href); say("Link copied"); }
        catch { say("Copy the link from your address bar to share it"); }
      }
    });
  });
})();
