"""How a prevention (s.195) or relief (s.189B) duty ends, and what must be true first."""

from __future__ import annotations

from dataclasses import dataclass

from .stages import CloseReason, Stage


@dataclass(frozen=True)
class Move:
    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class DutyEnd:
    """One way a prevention or relief duty ends: the section, and what must be true first.

    `confirm` is a precondition the officer must confirm, because the case record cannot show it (what the
    applicant was told about an offer, why they lost accommodation); the letter states it as the ground.
    Preconditions the record can show (dates, priority need, an approved notice) are checked in
    `move_allowed`. Every one of these ends is by written notice with review rights (s.189B(6), s.195(5)),
    except relief ending by itself on day 56 (s.189B(4)), which is a move to the main duty decision.
    """

    section: str
    ground: str
    confirm: str = ""


# s.189B(5): the authority may give notice ending the relief duty if a circumstance in s.189B(7) applies;
# s.189B(9) adds the ends under s.193A and s.193B; s.198(A1) lets the duty be referred.
RELIEF_ENDS: dict[str, DutyEnd] = {
    CloseReason.ACCOMMODATION_SECURED: DutyEnd(
        "s.189B(5) and (7)(a)",
        "You have suitable accommodation available, with a reasonable prospect of keeping it for at least 6"
        " months.",
        "The applicant has suitable accommodation available and a reasonable prospect of it being available"
        " for at least 6 months.",
    ),
    CloseReason.DAYS_ELAPSED: DutyEnd(
        "s.189B(5) and (7)(b)",
        "We have helped you for 56 days, and you are not in priority need.",
    ),
    CloseReason.REFUSED_OFFER: DutyEnd(
        "s.189B(5) and (7)(c)",
        "You refused an offer of suitable accommodation after we told you in writing what refusing it would"
        " mean.",
        "The applicant was told in writing what refusing or accepting the offer would mean, the offer was"
        " suitable, and it had a reasonable prospect of lasting at least 6 months.",
    ),
    CloseReason.INTENTIONALLY_HOMELESS: DutyEnd(
        "s.189B(5) and (7)(d)",
        "You became homeless intentionally from accommodation we made available to you under this duty.",
        "The applicant became homeless intentionally from accommodation made available under the relief"
        " duty.",
    ),
    CloseReason.NO_LONGER_ELIGIBLE: DutyEnd(
        "s.189B(5) and (7)(e)",
        "You are no longer eligible for help (section 185).",
        "We are satisfied the applicant is no longer eligible for assistance (s.185).",
    ),
    CloseReason.WITHDRAWN: DutyEnd(
        "s.189B(5) and (7)(f)",
        "You withdrew your application.",
        "The applicant withdrew the application.",
    ),
    CloseReason.CONTACT_LOST: DutyEnd(
        "s.189B(5) and (7)(f); Code of Guidance chapter 14",
        "We have not been able to reach you, so we treat your application as withdrawn.",
        "Reasonable attempts to contact the applicant, by the ways they said are safe, have failed.",
    ),
    CloseReason.REFUSED_FINAL_OFFER: DutyEnd(
        "s.193A(2)",
        "You refused a final offer of accommodation after we told you in writing what refusing it would"
        " mean.",
        "The offer was a final accommodation offer or final Part 6 offer, it was suitable, and the applicant"
        " was told in writing what refusing it would mean (s.193A(3)-(6)).",
    ),
    CloseReason.NON_COOPERATION: DutyEnd(
        "s.193B(2) and (3)",
        "You deliberately and unreasonably refused to take a step in your housing plan, after a warning.",
    ),
    CloseReason.LOCAL_CONNECTION_REFERRAL: DutyEnd(
        "s.198(A1)",
        "We have referred your case to another council you have a local connection with.",
        "No one in the household has a local connection with us, one has with the other council, and no one"
        " would be at risk of domestic abuse or other violence in its district (s.198(2), (2ZA), (A1)).",
    ),
}

# s.195(5): notice ending the prevention duty if a circumstance in s.195(8) applies; s.195(10): or s.193B.
# Becoming homeless (s.195(8)(c)) is the move to relief, not a closure.
PREVENTION_ENDS: dict[str, DutyEnd] = {
    CloseReason.ACCOMMODATION_SECURED: DutyEnd(
        "s.195(5) and (8)(a)",
        RELIEF_ENDS[CloseReason.ACCOMMODATION_SECURED].ground,
        RELIEF_ENDS[CloseReason.ACCOMMODATION_SECURED].confirm,
    ),
    CloseReason.DAYS_ELAPSED: DutyEnd(
        "s.195(5) and (8)(b)",
        "We have helped you for 56 days.",
    ),
    CloseReason.REFUSED_OFFER: DutyEnd(
        "s.195(5) and (8)(d)",
        RELIEF_ENDS[CloseReason.REFUSED_OFFER].ground,
        RELIEF_ENDS[CloseReason.REFUSED_OFFER].confirm,
    ),
    CloseReason.INTENTIONALLY_HOMELESS: DutyEnd(
        "s.195(5) and (8)(e)",
        RELIEF_ENDS[CloseReason.INTENTIONALLY_HOMELESS].ground,
        "The applicant became homeless intentionally from accommodation made available under the prevention"
        " duty.",
    ),
    CloseReason.NO_LONGER_ELIGIBLE: DutyEnd(
        "s.195(5) and (8)(f)",
        RELIEF_ENDS[CloseReason.NO_LONGER_ELIGIBLE].ground,
        RELIEF_ENDS[CloseReason.NO_LONGER_ELIGIBLE].confirm,
    ),
    CloseReason.WITHDRAWN: DutyEnd(
        "s.195(5) and (8)(g)",
        RELIEF_ENDS[CloseReason.WITHDRAWN].ground,
        RELIEF_ENDS[CloseReason.WITHDRAWN].confirm,
    ),
    CloseReason.CONTACT_LOST: DutyEnd(
        "s.195(5) and (8)(g); Code of Guidance chapter 14",
        RELIEF_ENDS[CloseReason.CONTACT_LOST].ground,
        RELIEF_ENDS[CloseReason.CONTACT_LOST].confirm,
    ),
    CloseReason.NON_COOPERATION: DutyEnd(
        "s.193B(2) and (3)",
        RELIEF_ENDS[CloseReason.NON_COOPERATION].ground,
    ),
}

DUTY_ENDS = {Stage.PREVENTION: PREVENTION_ENDS, Stage.RELIEF: RELIEF_ENDS}

# s.193B(4): a notice may be given only after a warning and a reasonable period since it. The Act sets no
# number of days; this is the council's minimum, kept here so a change of policy is one line.
NONCOOPERATION_WARNING_DAYS = 7

# The H-CLIC end reason each of our end reasons is reported as: the key into the "prevention_end" and
# "relief_end" code lists (data/hclic_codes_*.json), whose values are the department's codes.
# A prevention duty that ends because the applicant became homeless is reported as "homeless".
HCLIC_PREVENTION_END_HOMELESS = "homeless"
