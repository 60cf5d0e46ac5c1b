"""Visitors with the widget open, and the invitations agents send them.

- The widget opens the visitor socket on every page of a visit (one browser tab) and says
  which page it is on; the desk sees the visitors here now (`visitors_here`): those whose
  socket is open and whose widget beat within `CHAT_HEARTBEAT_TIMEOUT_SECONDS`.
- Staff who take chats (an agent profile: agents, supervisors, managers) may invite a visitor
  with a message, at most `CHAT_INVITE_LIMIT` times per `CHAT_INVITE_WINDOW_SECONDS`, never one
  who declined during this visit (an agent's or the time-on-page rule's invitation), has left,
  or is already chatting.
- Accepting shows the pre-chat form; the chat started from it is offered to the inviting agent
  first when they are online with room. A decline is remembered for the visit.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chat.models import LIVE_STATUSES, ChatSession, Invitation, InvitationAnswer, Visit
from helpdesk import ratelimit
from helpdesk.models import AgentProfile

from .common import ChatClosed, ChatError, NotAllowed, RateLimited
from .events import DESK_GROUP, GROUPS, author_name, publish
from .presence import heartbeat_timeout
from .sessions import start_chat

SALT = "chat.visit"
MAX_INVITATION_CHARS = 500


class Declined(ChatError):
    code = "declined"


def visit_group(visit_id: int) -> str:
    """The visitor's widget socket: invitations to it."""
    return GROUPS.name("visit", visit_id)


def visit_token(visit: Visit) -> str:
    return signing.dumps(str(visit.key), salt=SALT, compress=False)


def _visit_by_token(token: str, *, lock: bool = False) -> Visit | None:
    try:
        key = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return None
    visits = Visit.objects.select_for_update() if lock else Visit.objects
    return visits.filter(key=key).first()


def _is_here(visit: Visit, now: datetime) -> bool:
    return bool(visit.channel_name) and visit.last_seen_at >= now - heartbeat_timeout()


def visitor_entry(visit: Visit, invitation: Invitation | None = None) -> dict:
    """What the desk shows of a visitor."""
    return {
        "visit": visit.pk,
        "page": visit.page,
        "title": visit.title,
        "since": visit.started_at.isoformat(),
        "declined": visit.declined_at is not None,
        "chatting": visit.session_id is not None,
        "invitation": None
        if invitation is None
        else {
            "id": invitation.pk,
            "agent": author_name(invitation.agent),
            "answer": invitation.answer,
            "sent_at": invitation.sent_at.isoformat(),
        },
    }


def _latest_invitation(visit: Visit) -> Invitation | None:
    return visit.invitations.select_related("agent").order_by("-sent_at", "-pk").first()


def _tell_desk(visit: Visit, action: str) -> None:
    entry = visitor_entry(visit, _latest_invitation(visit)) if action != "left" else {}
    publish(DESK_GROUP, {"type": "visitor", "action": action, "visit": visit.pk, **entry})


def visitors_here(*, now: datetime | None = None, limit: int = 200) -> list[dict]:
    """The visitors with the widget open now, longest here first."""
    now = now or timezone.now()
    visits = list(
        Visit.objects.exclude(channel_name="")
        .filter(last_seen_at__gte=now - heartbeat_timeout())
        .order_by("started_at", "pk")[:limit]
    )
    latest: dict[int, Invitation] = {}
    rows = Invitation.objects.filter(visit__in=visits).select_related("agent")
    for invitation in rows.order_by("sent_at", "pk"):
        latest[invitation.visit_id] = invitation
    return [visitor_entry(v, latest.get(v.pk)) for v in visits]


@transaction.atomic
def visitor_arrived(
    *,
    token: str,
    channel_name: str,
    page: str = "",
    title: str = "",
    declined: bool = False,
    address: str = "",
    now: datetime | None = None,
) -> Visit:
    """The widget's socket says where it is: the visit its token names (a new one for a bad or
    missing token) is here now, on this socket. `declined`: the visitor declined the
    time-on-page invitation earlier in the visit. One `address` (the client's IP) opens at most
    CHAT_VISITS_PER_ADDRESS new visits per CHAT_VISITS_WINDOW_SECONDS (RateLimited past it), so a
    script cannot fill the desk's visitor list."""
    now = now or timezone.now()
    visit = _visit_by_token(token, lock=True)
    if visit is None and address:  # no address: a call from inside the desk, not a socket
        _count_new_visit(address, now)
    if visit is None:
        visit = Visit(started_at=now)
    visit.page = (page or "")[:500]
    visit.title = (title or "")[:200]
    visit.channel_name = channel_name
    visit.last_seen_at = now
    if declined and visit.declined_at is None:
        visit.declined_at = now
    visit.save()
    _tell_desk(visit, "arrived")
    return visit


def _count_new_visit(address: str, now: datetime) -> None:
    rate = ratelimit.Rate(settings.CHAT_VISITS_PER_ADDRESS, settings.CHAT_VISITS_WINDOW_SECONDS)
    try:
        ratelimit.check(
            "chat-new-visit", address, rate=rate, detail="Too many new visits from this address."
        )
    except ratelimit.RateLimitExceeded as error:
        raise RateLimited(error.detail) from None


def visitor_heartbeat(*, visit_id: int, channel_name: str, now: datetime | None = None) -> None:
    Visit.objects.filter(pk=visit_id, channel_name=channel_name).update(
        last_seen_at=now or timezone.now()
    )


@transaction.atomic
def visitor_left(*, visit_id: int, channel_name: str) -> None:
    """The widget's socket closed (unless another socket of the visit has taken over)."""
    if Visit.objects.filter(pk=visit_id, channel_name=channel_name).update(channel_name=""):
        publish(DESK_GROUP, {"type": "visitor", "action": "left", "visit": visit_id})


def sweep_visits(*, now: datetime | None = None) -> int:
    """Visits whose widget fell silent past the timeout have left (a crashed server never
    said so). Returns how many."""
    now = now or timezone.now()
    stale = list(
        Visit.objects.exclude(channel_name="")
        .filter(last_seen_at__lt=now - heartbeat_timeout())
        .values_list("pk", flat=True)[:1000]
    )
    Visit.objects.filter(pk__in=stale).update(channel_name="")
    for visit_id in stale:
        publish(DESK_GROUP, {"type": "visitor", "action": "left", "visit": visit_id})
    forget_old_visits(now=now)
    return len(stale)


def forget_old_visits(*, now: datetime | None = None) -> int:
    """Visits that left more than CHAT_VISIT_RETENTION_DAYS ago are deleted with their
    invitations (a chat started from one keeps its own record). Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CHAT_VISIT_RETENTION_DAYS)
    old = Visit.objects.filter(channel_name="", last_seen_at__lt=cutoff)
    _total, by_model = old.delete()
    return by_model.get(Visit._meta.label, 0)


def check_may_invite(user) -> None:
    """Only staff who take chats (with an agent profile) invite visitors."""
    if (
        user is None
        or not user.is_authenticated
        or not user.is_active
        or not AgentProfile.objects.filter(user=user).exists()
    ):
        raise NotAllowed("Only agents may invite visitors to chat.")


@transaction.atomic
def invite_visitor(
    *, visit_id: int | None, agent, message: str, now: datetime | None = None
) -> Invitation:
    """An agent invites a visitor to chat with a message (plain text, 1 to 500 characters).
    Refused (NotAllowed) for anyone but staff who take chats; (ChatClosed) when the visitor has
    left or is chatting; (Declined) when they declined during this visit; (RateLimited) past
    `CHAT_INVITE_LIMIT` invitations to them in `CHAT_INVITE_WINDOW_SECONDS`."""
    now = now or timezone.now()
    check_may_invite(agent)
    message = (message or "").strip()
    if not message or len(message) > MAX_INVITATION_CHARS:
        raise ValidationError(f"Write an invitation of 1 to {MAX_INVITATION_CHARS} characters.")
    visit = Visit.objects.select_for_update().filter(pk=visit_id).first()
    if visit is None or not _is_here(visit, now):
        raise ChatClosed("The visitor has left.")
    if visit.declined_at is not None:
        raise Declined("The visitor declined an invitation during this visit.")
    chatting = ChatSession.objects.filter(pk=visit.session_id, status__in=LIVE_STATUSES)
    if visit.session_id and chatting.exists():
        raise ChatClosed("The visitor is chatting already.")
    window = timedelta(seconds=settings.CHAT_INVITE_WINDOW_SECONDS)
    recent = visit.invitations.filter(sent_at__gt=now - window).count()
    if recent >= settings.CHAT_INVITE_LIMIT:
        raise RateLimited(
            f"This visitor has had {recent} invitations in the last "
            f"{settings.CHAT_INVITE_WINDOW_SECONDS // 60} minutes: give them time."
        )
    invitation = Invitation.objects.create(visit=visit, agent=agent, message=message, sent_at=now)
    publish(
        visit_group(visit.pk),
        {
            "type": "invitation",
            "invitation": invitation.pk,
            "message": message,
            "agent": author_name(agent),
        },
    )
    _tell_desk(visit, "updated")
    return invitation


@transaction.atomic
def answer_invitation(
    *, visit_id: int, accept: bool, invitation_id: int | None = None, now: datetime | None = None
) -> Visit:
    """The visitor accepts or declines an agent's invitation (`invitation_id`) or the
    time-on-page rule's (none). A decline is remembered for the visit."""
    now = now or timezone.now()
    visit = Visit.objects.select_for_update().get(pk=visit_id)
    if invitation_id is not None:
        invitation = visit.invitations.filter(pk=invitation_id).first()
        if invitation is None:
            raise NotAllowed("No such invitation.")
        if invitation.answer == InvitationAnswer.PENDING:
            invitation.answer = InvitationAnswer.ACCEPTED if accept else InvitationAnswer.DECLINED
            invitation.answered_at = now
            invitation.save(update_fields=["answer", "answered_at"])
    if not accept and visit.declined_at is None:
        visit.declined_at = now
        visit.save(update_fields=["declined_at"])
    _tell_desk(visit, "updated")
    return visit


@transaction.atomic
def start_chat_from_visit(*, visit_token: str, **details) -> ChatSession:
    """`start_chat` for a visitor of the widget: the chat is linked to the visit, and, when
    the visitor accepted an agent's invitation, offered to that agent first."""
    visit = _visit_by_token(visit_token, lock=True)
    invitation = None
    if visit is not None:
        invitation = (
            visit.invitations.filter(answer=InvitationAnswer.ACCEPTED, session__isnull=True)
            .select_related("agent")
            .order_by("-sent_at", "-pk")
            .first()
        )
    session = start_chat(**details, offer_to=invitation.agent if invitation else None)
    if visit is not None:
        visit.session = session
        visit.save(update_fields=["session"])
        if invitation is not None:
            invitation.session = session
            invitation.save(update_fields=["session"])
        _tell_desk(visit, "updated")
    return session
