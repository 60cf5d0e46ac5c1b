"""The customer's key to their chat: a signed token of the session's random key, so a token is
neither guessable nor forgeable, and one customer's token opens no other chat."""

from django.core import signing

from chat.models import ChatSession
from helpdesk.roles import user_role

SALT = "chat.session"


def token_for(session: ChatSession) -> str:
    return signing.dumps(str(session.key), salt=SALT, compress=False)


def access_session_by_token(token: str) -> ChatSession | None:
    """The session a token opens, or None when the token is bad or tampered with."""
    try:
        key = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return ChatSession.objects.select_related("customer").filter(key=key).first()


def access_chat_for_staff(*, user, session_id) -> ChatSession | None:
    """The chat with this id if the user handles it (or supervises: supervisors and managers
    see every chat); None otherwise or for a bad id."""
    try:
        pk = int(session_id)
    except (TypeError, ValueError):
        return None
    chats = ChatSession.objects.select_related("customer").filter(pk=pk)
    if user_role(user) not in ("supervisor", "manager"):
        chats = chats.filter(agent=user)
    return chats.first()
