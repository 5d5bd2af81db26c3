// Warn before a signed-in session times out, and let the resident stay signed in without leaving the page,
// so a half-filled form is never lost (WCAG 2.2.1 Timing Adjustable). Without JavaScript the page says how
// long a session lasts instead.
const body = document.body;
const dialog = document.getElementById("app-session-timeout");
const timeout = Number(body.dataset.sessionTimeout || 0);
const warning = Number(body.dataset.sessionWarning || 0);

if (dialog && timeout > 0 && typeof dialog.showModal === "function") {
  const stayButton = dialog.querySelector("[data-session-stay]");
  const message = dialog.querySelector("[data-session-message]");
  const signedOut = dialog.querySelector("[data-session-signed-out]");
  let warnTimer;
  let endTimer;

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(warn, Math.max(0, timeout - warning) * 1000);
    endTimer = setTimeout(expired, timeout * 1000);
  };
  const warn = () => {
    if (!dialog.open) dialog.showModal();
    stayButton.focus();
  };
  const expired = () => {
    message.hidden = true;
    stayButton.hidden = true;
    signedOut.hidden = false;
    if (!dialog.open) dialog.showModal();
  };
  const stay = async () => {
    const token = dialog.querySelector("input[name=csrfmiddlewaretoken]").value;
    try {
      const response = await fetch(dialog.dataset.extendUrl, {
        method: "POST",
        headers: { "X-CSRFToken": token },
        credentials: "same-origin",
      });
      if (!response.ok) return expired();
    } catch {
      return expired();
    }
    dialog.close();
    schedule();
  };

  stayButton.addEventListener("click", stay);
  // Escape means "not now": treat it as staying signed in rather than leaving the timer to run out.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (!stayButton.hidden) stay();
  });
  schedule();
}
