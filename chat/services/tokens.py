"""The customer's key to their chat: a signed token of the session's random key, so a token is
neither guessable nor forgeable, and one customer's token opens no other chat."""

from django.core import signing

from chat.access import ChatAction, access_chat
from chat.models import ChatSession
from helpdesk.access import AccessDenied

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
    """The chat with this id if the user may read it (`chat.access`: its agent, supervisors
    and managers; a waiting chat, whoever may take it); None otherwise or for a bad id."""
    try:
        return access_chat(user=user, chat_id=session_id, action=ChatAction.READ)
    except (ChatSession.DoesNotExist, AccessDenied):
        return None
