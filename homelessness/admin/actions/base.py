"""What every officer action on a case is: its own URL, one form and one service call.

An action is a `CaseAction` in its own module of this package, named `action`. The admin registers its URL
(`/admin/homelessness/case/<pk>/act/<name>/`, URL name `admin:homelessness_case_act_<name>`) and shows its
form on the case workspace as `forms.<name>`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from hackney_portal.core.exceptions import ApplicationError

from ... import services
from ...models import Case


class CaseAction:
    name: str = ""
    form_class: type[forms.Form] = forms.Form
    done: str = ""  # what the officer is told when it worked

    def form_kwargs(self, request, case: Case, *, bound: bool) -> dict:
        return {}

    def initial(self, request, case: Case) -> dict:
        return {}

    def perform(self, request, case: Case, data: dict) -> None:
        """Call the one service this action is for; an `ApplicationError` goes back to the form."""
        raise NotImplementedError

    def get_form(self, request, case: Case, data=None) -> forms.Form:
        kwargs = self.form_kwargs(request, case, bound=data is not None)
        if data is None:
            kwargs.setdefault("initial", self.initial(request, case))
        # Every form on the workspace has its own ids (several have a "reasons" or "due_on" field).
        return self.form_class(data, auto_id=f"id_{self.name}_%s", **kwargs)

    def view(self, model_admin):
        """The admin view for this action, for `ModelAdmin.get_urls`."""

        def act(request, pk: int):
            case = model_admin.case_for(request, pk)
            if request.method != "POST":
                return redirect("admin:homelessness_case_change", case.pk)
            if not model_admin.has_change_permission(request, case):
                raise PermissionDenied
            form = self.get_form(request, case, data=request.POST)
            if form.is_valid():
                try:
                    self.perform(request, case, form.cleaned_data)
                except ApplicationError as error:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
                else:
                    messages.success(request, self.done)
                    return redirect("admin:homelessness_case_change", case.pk)
            # The reasons go in the message too: the form may be in a part of the page not shown now.
            reasons = " ".join(str(e) for errors in form.errors.values() for e in errors)
            messages.error(request, f"The action was not done: {reasons}")
            fresh = Case.objects.get(pk=case.pk)
            # The whole case goes back with the form's errors: a read of the case like any other, so recorded.
            services.case_view_record(
                case=fresh,
                actor=request.user,
                data={"reference": fresh.reference, "action_failed": self.name},
            )
            return model_admin.workspace(request, fresh, bound={self.name: form}, status=400)

        act.__name__ = f"case_act_{self.name}"
        return act
