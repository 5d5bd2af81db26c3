// Card entry through Stripe.js. This is the only adapter between our page and the payment provider's
// script: it works with Stripe.js in production and localstripe's stand-in in development and tests.
// Flow: the browser turns the card into a token, our server creates and confirms the PaymentIntent, and
// only when the bank asks for 3-D Secure does the browser run the authentication step.
const form = document.getElementById("card-form");

function showError(message) {
  const box = document.getElementById("card-error");
  if (!box) return;
  box.textContent = message;
  box.classList.remove("app-hidden");
  box.closest(".govuk-form-group").classList.add("govuk-form-group--error");
}

if (form && typeof window.Stripe === "function") {
  const stripe = window.Stripe(form.dataset.publishableKey);
  const clientSecret = form.dataset.clientSecret;
  if (clientSecret) {
    // 3-D Secure: Stripe.js shows the bank's challenge, then we tell our server to re-check the payment.
    // Stripe.js has handleCardAction for server-confirmed intents; localstripe's stand-in only has
    // confirmCardPayment, which there does the same job.
    const authenticate = typeof stripe.handleCardAction === "function"
      ? stripe.handleCardAction.bind(stripe)
      : stripe.confirmCardPayment.bind(stripe);
    authenticate(clientSecret).finally(() => form.submit());
  } else {
    const card = stripe.elements().create("card", { hidePostalCode: true });
    card.mount("#card-element");
    // The card fields work now: show them, and drop the "call us instead" line meant for no JavaScript.
    document.getElementById("card-fields").classList.remove("app-hidden");
    document.getElementById("card-no-js").classList.add("app-hidden");
    let sending = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (sending) return; // a double click must not send the card twice
      sending = true;
      document.getElementById("card-submit").setAttribute("disabled", "disabled");
      const result = await stripe.createToken(card);
      if (result.error || !result.token) {
        sending = false;
        document.getElementById("card-submit").removeAttribute("disabled");
        showError((result.error && result.error.message) || "Check your card details and try again");
        return;
      }
      document.getElementById("card-token").value = result.token.id;
      form.submit();
    });
  }
}
