from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def desk_home(request):
    """The agents' desk: their running clocks with every deadline counting down."""
    return render(request, "helpdesk/desk.html", {})
