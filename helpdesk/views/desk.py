"""The agents' desk: their clocks and their team's, counting down, and their notifications."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from helpdesk.access import desk_staff_required
from helpdesk.selectors.sla import desk_clocks, unread_notifications
from helpdesk.services.notifications import mark_notifications_read


@desk_staff_required
def desk_home(request):
    """Every open clock of the user and of their team, soonest due first, with a WARNING badge
    past its warning time and BREACHED once due; and the user's unread notifications."""
    now = timezone.now()
    desk = desk_clocks(user=request.user, now=now)
    context = {
        "now": now,
        "mine": desk.mine,
        "team": desk.team,
        "notifications": list(unread_notifications(user=request.user)),
    }
    return render(request, "helpdesk/desk.html", context)


@desk_staff_required
@require_POST
def notifications_read(request):
    """Mark the notifications posted (all unread ones when none is) as read."""
    ids = [int(pk) for pk in request.POST.getlist("notification") if pk.isdigit()]
    mark_notifications_read(user=request.user, notification_ids=ids or None)
    return redirect("desk:home")
