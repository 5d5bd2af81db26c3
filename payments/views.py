from django.shortcuts import render


def start(request):
    return render(request, "payments/start.html")
