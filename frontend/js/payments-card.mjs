// Card entry through Stripe.js. This is the only adapter between our page and the payment provider's
// script: it works with Stripe.js in production and localstripe's stand-in in development and tests.
// Flow: the browser turns the card into a token, our server creates and confirms the PaymentIntent, and
// only when the bank asks for 3-D Secure does the browser run the authentication step.
const form = document.getElementById("card-form");

// The provider's own words ("Your card number is incomplete.", "The provided PaymentMethod has failed
// authentication") are never shown: each kind of problem gets plain English, as GOV.UK Pay words it.
const MESSAGES = {
  incomplete_number: "Enter your card number",
  invalid_number: "Enter a valid card number",
  incorrect_number: "Enter a valid card number",
  incomplete_expiry: "Enter the expiry date shown on your card",
  invalid_expiry_month: "Enter a valid expiry month",
  invalid_expiry_year: "Enter a valid expiry year",
  invalid_expiry_year_past: "Your card has expired. Use a different card",
  expired_card: "Your card has expired. Use a different card",
  incomplete_cvc: "Enter the card security code",
  invalid_cvc: "Enter a valid card security code",
  incorrect_cvc: "The card security code is not right. Check it and try again",
  card_declined: "Your card was declined. Use a different card or contact your bank",
};
const FALLBACK = "Check your card details and try again";

function plainMessage(error) {
  return (error && (MESSAGES[error.code] || MESSAGES[error.decline_code])) || FALLBACK;
}

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
      const button = document.getElementById("card-submit");
      button.setAttribute("disabled", "disabled");
      let result;
      try {
        result = await stripe.createToken(card);
      } catch (error) {
        // The provider's script refused the fields (empty, half typed) or could not be reached: the
        // resident must never be left with a dead Pay button.
        result = { error };
      }
      if (result.error || !result.token) {
        sending = false;
        button.removeAttribute("disabled");
        showError(plainMessage(result.error));
        return;
      }
      document.getElementById("card-token").value = result.token.id;
      form.submit();
    });
  }
}
