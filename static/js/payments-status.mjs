// While a payment is processing, ask the server every few seconds and reload once it is decided.
// Without JavaScript the page offers a "check again" link instead.
const box = document.getElementById("payment-status");
if (box && box.dataset.pending === "true") {
  let tries = 0;
  const poll = async () => {
    tries += 1;
    try {
      const response = await fetch("?format=json", { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (!body.pending) {
        window.location.reload();
        return;
      }
    } catch (e) {
      // A failed poll is not an answer: try again.
    }
    if (tries < 60) setTimeout(poll, 2000);
  };
  setTimeout(poll, 1500);
}
