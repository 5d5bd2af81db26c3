"""Assessment outcomes, priority need categories and kinds of review."""

from __future__ import annotations

from django.db import models


class AssessmentOutcome(models.TextChoices):
    """H-CLIC initial assessment outcome."""

    THREATENED = "threatened", "Threatened with homelessness within 56 days"
    THREATENED_BY_NOTICE = "threatened_notice", "Threatened within 56 days: valid notice to leave"
    HOMELESS = "homeless", "Homeless"
    NEITHER = "neither", "Not homeless nor threatened within 56 days"
    WITHDREW = "withdrew", "Withdrew before assessment"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"


class PriorityNeed(models.TextChoices):
    """s.189(1) and the Priority Need Order 2002."""

    PREGNANT = "pregnant", "Pregnant"
    CHILDREN = "children", "Dependent children"
    OLD_AGE = "old_age", "Vulnerable: old age"
    ILLNESS = "illness", "Vulnerable: physical or mental illness"
    DISABILITY = "disability", "Vulnerable: disability"
    OTHER_VULNERABLE = "other_vulnerable", "Vulnerable: other special reason"
    EMERGENCY = "emergency", "Emergency such as fire or flood"
    AGED_16_17 = "aged_16_17", "Aged 16 or 17"
    CARE_LEAVER = "care_leaver", "Care leaver aged 18 to 20"
    AFTER_CARE = "after_care", "Vulnerable after being in care"
    FORCES = "forces", "Vulnerable after HM Forces"
    CUSTODY = "custody", "Vulnerable after custody"
    FLEEING_VIOLENCE = "fleeing_violence", "Vulnerable: fleeing violence or threats"
    DOMESTIC_ABUSE = "domestic_abuse", "Homeless because of domestic abuse (s.189(1)(e))"


class ReviewKind(models.TextChoices):
    # Reg. 9 of the 2018 Review Procedure Regulations gives 3 weeks for the prevention duty's ending but 8 for
    # the relief duty's (reg. 9(1)(a) and (b)), so the two are separate kinds.
    PLAN_STEPS = "plan_steps", "Steps in the Personalised Housing Plan (3 weeks)"
    ENDING_PREVENTION = (
        "ending_prevention",
        "Ending the prevention duty, by notice or for not cooperating (3 weeks)",
    )
    ENDING_RELIEF = "ending_relief", "Ending the relief duty, by notice or for not cooperating (8 weeks)"
    STANDARD = "standard", "Other decisions (s.202) (8 weeks)"
    LOCAL_CONNECTION_REFERRAL = (
        "local_connection_referral",
        "Local connection referral, reviewed by both councils (10 weeks)",
    )
