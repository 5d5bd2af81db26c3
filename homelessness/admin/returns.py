"""The H-CLIC statutory returns, for the statutory returns group only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from hackney_portal.core.admin import ReadOnlyAdmin
from hackney_portal.core.exceptions import ApplicationError

from .. import admin_forms, hclic, selectors, services
from ..models import HclicExport

EXPORT_PERMISSION = "homelessness.export_hclic"


@admin.register(HclicExport)
class HclicExportAdmin(ReadOnlyAdmin):
    """The statutory return, for the statutory returns group only (the export permission). The case-level
    file counts every case; a restricted case's people and problems are left out for anyone not named on
    it, and every download is audited."""

    list_display = ["__str__", "created_at", "created_by", "case_count", "problems", "downloads"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "year",
        "quarter",
        "version",
        "created_at",
        "created_by",
        "code_list_version",
        "case_count",
        "sha256",
        "case_sha256",
        "personal_sha256",
    ]
    exclude = ["case_file", "personal_file", "report"]

    def has_module_permission(self, request):
        return request.user.has_perm(EXPORT_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(EXPORT_PERMISSION) and super().has_view_permission(request, obj)

    @admin.display(description="Problems to fix")
    def problems(self, obj):
        return sum(len(r["problems"]) for r in obj.report)

    @admin.display(description="Files")
    def downloads(self, obj):
        return format_html(
            '<a href="{}">Case XML</a> · <a href="{}">Personal data</a> · <a href="{}">Validation report</a>',
            reverse("admin:homelessness_hclicexport_file", args=[obj.pk, "case"]),
            reverse("admin:homelessness_hclicexport_file", args=[obj.pk, "personal"]),
            reverse("admin:homelessness_hclicexport_file", args=[obj.pk, "report"]),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("generate/", wrap(self.generate), name="homelessness_hclicexport_generate"),
            path("<int:pk>/file/<str:which>/", wrap(self.file), name="homelessness_hclicexport_file"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "generate_url": reverse("admin:homelessness_hclicexport_generate"),
        }
        return super().changelist_view(request, extra_context)

    def generate(self, request):
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        form = admin_forms.HclicBuildForm(
            request.POST or None, initial=hclic.last_quarter(timezone.localdate())
        )
        if request.method == "POST" and form.is_valid():
            try:
                export = hclic.hclic_export_generate(actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_error("allow_unfinished", error.message)
            else:
                messages.success(request, f"{export}: {export.case_count} cases.")
                return redirect("admin:homelessness_hclicexport_file", export.pk, "report")
        return render(
            request,
            "admin/homelessness/hclic_generate.html",
            {**self.admin_site.each_context(request), "form": form, "title": "Build the H-CLIC return"},
        )

    def file(self, request, pk: int, which: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        export = HclicExport.objects.filter(pk=pk).first()
        if export is None or which not in ("case", "personal", "report"):
            raise Http404
        hidden = set(selectors.restricted_cases_hidden_from(request.user).values_list("reference", flat=True))
        withheld = hclic.refs_withheld_from(export, hidden_refs=hidden) if which != "case" else set()
        services.hclic_download_record(actor=request.user, export=export, which=which)
        if which == "report":
            rows = [row for row in export.report if row["case"] not in withheld]
            return render(
                request,
                "admin/homelessness/hclic_report.html",
                {
                    **self.admin_site.each_context(request),
                    "export": export,
                    "rows": rows,
                    "withheld": len(export.report) - len(rows),
                    "case_sha256": export.case_sha256,
                    "personal_sha256": export.personal_sha256,
                    "title": str(export),
                },
            )
        # Streamed from storage a line at a time: a borough's quarter is tens of megabytes.
        lines = (
            export.lines("case") if which == "case" else hclic.personal_lines_for(export, withheld=withheld)
        )
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in lines), content_type="application/xml; charset=utf-8"
        )
        name = f"hclic-{export.year}-q{export.quarter}-v{export.version}-{which}.xml"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
