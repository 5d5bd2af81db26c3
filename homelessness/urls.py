from django.urls import path

from . import views

app_name = "homelessness"
urlpatterns = [
    path("", views.start, name="start"),
    path("exit/", views.exit_page, name="exit"),
    path("apply/", views.apply_begin, name="apply"),
    path("apply/emergency/", views.apply_emergency, name="emergency"),
    path("apply/saved/", views.apply_saved, name="saved"),
    path("apply/resume/<str:token>/", views.apply_resume, name="resume"),
    path("apply/household/add/", views.apply_person, name="person"),
    path("apply/household/<int:index>/<slug:page>/", views.apply_person_page, name="person_page"),
    path("apply/household/remove/<int:index>/", views.apply_person_remove, name="person_remove"),
    path("apply/check-your-answers/", views.apply_check, name="check"),
    path("apply/sent/<str:reference>/", views.apply_done, name="done"),
    path("apply/<slug:slug>/", views.apply_step, name="step"),
    path("refer/", views.refer, name="refer"),
    path("refer/sent/", views.refer_done, name="refer_done"),
    path("status/<str:token>/", views.status_link, name="status_link"),
    path("cases/", views.my_cases, name="my_cases"),
    path("cases/<str:reference>/", views.case_status, name="case"),
    path("cases/<str:reference>/plan/<int:step_id>/", views.plan_step_toggle, name="plan_step"),
    path("cases/<str:reference>/letters/<int:letter_id>/", views.letter, name="letter"),
    path("cases/<str:reference>/letters/<int:letter_id>/pdf/", views.letter_pdf, name="letter_pdf"),
]
