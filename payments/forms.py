import re
from decimal import Decimal

from django import forms
from django.conf import settings

from hackney_portal.frontend.formatting import pence
from hackney_portal.frontend.forms import GovukDateField

from .calendar import months_back


class FindAccountForm(forms.Form):
    reference = forms.CharField(label="Rent account number", max_length=32)
    postcode = forms.CharField(label="Postcode of the property", max_length=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hint = settings.COUNCIL["rent_reference_hint"]
        self.fields[
            "reference"
        ].help_text = f"You can find this on your rent statement or letters. It is {hint}."
        self.fields["reference"].error_messages["required"] = "Enter your rent account number"
        self.fields["postcode"].error_messages["required"] = "Enter the postcode of the property"

    def clean_reference(self):
        value = re.sub(r"\s+", "", self.cleaned_data["reference"]).upper()
        if not re.match(settings.COUNCIL["rent_reference_regex"], value):
            hint = settings.COUNCIL["rent_reference_hint"]
            raise forms.ValidationError(f"Enter your rent account number in the right format: {hint}")
        return value

    def clean_postcode(self):
        value = re.sub(r"\s+", "", self.cleaned_data["postcode"]).upper()
        if not re.match(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$", value):
            raise forms.ValidationError("Enter a real postcode, like E8 1EA")
        return value


class LinkCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from the email or the letter we sent, for example 123456",
        error_messages={"required": "Enter the code", "max_length": "Enter the 6-digit code"},
    )

    def clean_code(self):
        value = re.sub(r"[\s-]+", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", value):
            raise forms.ValidationError("Enter the 6-digit code, like 123456")
        return value


# Pounds, with commas only between thousands, and pence after a full stop: "1,250.50", "1250.5", ".50". Only
# ASCII digits: Decimal() would also take "5_00", "1E3", "NaN" and other scripts' digits, and reading commas
# as thousands separators would make "5,00" (five pounds, written with a decimal comma) £500.
AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]{1,2})?")


def amount_error(raw: str) -> str:
    """What is wrong with an amount as typed (without its £), in words for the payer; "" when it is fine."""
    if re.fullmatch(r"[0-9]+,[0-9]{1,2}", raw):
        return "Use a full stop between pounds and pence, like 5.00"
    if re.fullmatch(r"[0-9,]*\.[0-9]{3,}", raw):
        return "Amount must be in pounds and pence, like 12.34"
    if raw in (".", "") or not AMOUNT.fullmatch(raw):
        return "Amount must be a number, like 12.34"
    return ""


class AmountForm(forms.Form):
    """Pay the balance or another amount. The radio chosen decides the amount: a typed amount counts only
    under "Pay another amount" (it sits in that choice's conditional reveal). With nothing to pay off there is
    one choice, so no radios: just the amount."""

    choice = forms.ChoiceField(
        label="How much do you want to pay?",
        widget=forms.RadioSelect,
        choices=[("balance", "Pay the balance"), ("other", "Pay another amount")],
        error_messages={"required": "Select how much you want to pay"},
    )
    amount = forms.CharField(label="Amount in pounds", required=False, max_length=12)
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        help_text="We will email you a receipt for this payment. We will not use it for anything else.",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    attempt_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, balance_pence: int, ask_email: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.balance_pence = balance_pence
        if not ask_email:
            # Signed in: the receipt goes to the login's own address.
            del self.fields["email"]
        self.fields["amount"].help_text = f"You can pay from £1 to {pence(settings.PAYMENTS_MAX_PENCE)}."
        if not self.offers_balance:
            # Not offered when in credit or up to date: there is nothing to pay off, so one question only.
            del self.fields["choice"]
            self.fields["amount"].label = "How much do you want to pay?"
        else:
            self.fields["choice"].choices = [
                ("balance", f"Pay the balance of {pence(balance_pence)}"),
                ("other", "Pay another amount"),
            ]

    @property
    def offers_balance(self) -> bool:
        return self.balance_pence > 0

    def clean(self):
        data = super().clean()
        choice = data.get("choice") if self.offers_balance else "other"
        if choice == "balance":
            data["amount_pence"] = self.balance_pence
        elif choice == "other":
            raw = (data.get("amount") or "").strip().removeprefix("£").strip()
            if not raw:
                self.add_error("amount", "Enter an amount to pay")
                return data
            error = amount_error(raw)
            if error:
                self.add_error("amount", error)
                return data
            amount = Decimal(raw.replace(",", ""))
            if amount.adjusted() > 12:
                self.add_error("amount", f"Amount must be £{settings.PAYMENTS_MAX_PENCE // 100:,} or less")
                return data
            data["amount_pence"] = int(amount * 100)
        return data


class StatementPeriodForm(forms.Form):
    """The statement's period: the last 1 to 12 calendar months, or two dates. The control always shows the
    period on screen: "3" when nothing was chosen, "dates" when the dates below decide."""

    DATES = "dates"
    PERIODS = [
        ("1", "Last month"),
        ("3", "Last 3 months"),
        ("6", "Last 6 months"),
        ("12", "Last 12 months"),
        (DATES, "Between the dates below"),
    ]
    months = forms.ChoiceField(label="Show transactions from", choices=PERIODS, required=False)
    start = GovukDateField(
        label="From date",
        required=False,
        past_only=True,
        help_text="For example, 1 4 2026. Used when you choose 'Between the dates below'.",
    )
    end = GovukDateField(label="To date", required=False, past_only=True)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            dates_given = any(data.get(f"{name}_{i}") for name in ("start", "end") for i in range(3))
            if not data.get("months"):
                data["months"] = self.DATES if dates_given else "3"
        super().__init__(data, *args, initial={"months": "3"}, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("months") != self.DATES:
            # A number of months chosen: dates left in the boxes from before do not count.
            for name in ("start", "end"):
                self.errors.pop(name, None)
                data.pop(name, None)
            return data
        if not data.get("start") and not data.get("end") and not self.errors:
            self.add_error("start", "Enter the dates to show transactions between")
        elif bool(data.get("start")) != bool(data.get("end")) and not self.errors:
            self.add_error("end" if data.get("start") else "start", "Enter both dates, or neither")
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "To date must be the same as or after the from date")
        return data

    def period(self, today):
        """(start, end, months) for the statement: the dates if chosen, else the last N calendar months."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return data["start"], data["end"], None
        months = data.get("months")
        months = int(months) if months and months.isdigit() else 3
        return months_back(today, months), today, months


class RemindersForm(forms.Form):
    reminder_emails = forms.ChoiceField(
        label="Do you want an email when your rent account is in arrears?",
        widget=forms.RadioSelect,
        choices=[("yes", "Yes, remind me before the rent is due"), ("no", "No")],
        error_messages={"required": "Select yes if you want reminder emails"},
    )


class PhonePaymentForm(AmountForm):
    """Staff taking a card payment over the phone: the caller's rent account number, the amount (the same
    rules as online) and, if they want a receipt, their email address."""

    reference = forms.CharField(
        label="Rent account number",
        max_length=32,
        error_messages={"required": "Enter the caller's rent account number"},
    )
    field_order = ["reference", "amount", "email", "attempt_key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, balance_pence=0, ask_email=True, **kwargs)
        self.order_fields(self.field_order)
        self.fields["amount"].label = "Amount the caller wants to pay, in pounds"
        self.fields["email"].label = "Caller's email address (optional)"
        self.fields[
            "email"
        ].help_text = "We email the caller a receipt. Leave it empty if they do not want one."

    def clean_reference(self):
        value = re.sub(r"\s+", "", self.cleaned_data["reference"]).upper()
        if not re.match(settings.COUNCIL["rent_reference_regex"], value):
            hint = settings.COUNCIL["rent_reference_hint"]
            raise forms.ValidationError(f"Enter the rent account number in the right format: {hint}")
        return value
