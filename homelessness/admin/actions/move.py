"""Move the case on, or close it / end the duty on a ground (opening a duty is an accept action)."""

from __future__ import annotations

from ... import admin_forms, services
from ...rules import END_REASONS, MOVES, Stage
from ..queue import DUTY_STAGES
from .base import CaseAction


class Move(CaseAction):
    name = "move"
    form_class = admin_forms.DecisionMoveForm
    done = "Case moved."

    def form_kwargs(self, request, case, *, bound):
        if bound:
            return {"stages": [(s, s) for s in Stage.values if s not in DUTY_STAGES], "stage": case.stage}
        # Opening a prevention or relief duty is its own decision, with a letter (see the accept actions).
        stages = [(s, Stage(s).label) for s in MOVES.get(Stage(case.stage), []) if s not in DUTY_STAGES]
        if END_REASONS.get(Stage(case.stage)):
            stages.append((Stage.CLOSED, "Close the case / end the duty"))
        return {"stages": stages, "stage": case.stage}

    def get_form(self, request, case, data=None):
        form = super().get_form(request, case, data)
        if data is None:
            reasons = END_REASONS.get(Stage(case.stage), [])
            form.fields["end_reason"].choices = [("", "---"), *[(r, r.label) for r in reasons]]
        return form

    def perform(self, request, case, data):
        services.case_move(
            case=case,
            actor=request.user,
            to_stage=data["to_stage"],
            end_reason=data["end_reason"],
            reasons=data["reasons"],
            confirmed=data["confirmed"],
        )


action = Move()
