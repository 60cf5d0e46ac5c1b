"""Who may post in a chat, and in which of its states: the one rule both ways of storing a line
apply (`chat.services.messages`: the one-statement SQL path and the locked Python path).

- the customer (who holds the chat's key): while the chat is live, waiting or active;
- staff: in an active chat, when the chat access rule's WRITE lets them (`chat.access`: its
  handling agent only), judged on who they are now, not on the user object their console
  loaded when it connected: an account closed or a role taken away since stops them at once.

`may_post` says it in Python; `posting_condition` says the same as SQL over the session row,
for the one-statement path (one statement still: the role is read in it)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from chat.access import REFUSALS, RULES, ChatAction, may
from chat.models import LIVE_STATUSES, ChatSession, ChatStatus, Sender
from helpdesk.access import Relation
from helpdesk.models import AgentProfile
from helpdesk.roles import STAFF_ROLES

from .common import ChatClosed, NotAllowed


@dataclass(frozen=True)
class PostingRule:
    statuses: tuple[ChatStatus, ...]  # the chat states the sender may post in
    action: ChatAction | None  # the access rule's action the author needs (None: the customer)
    ended: str  # the refusal when the chat is in another state


POSTING: dict[str, PostingRule] = {
    Sender.CUSTOMER: PostingRule(LIVE_STATUSES, None, "This chat has ended."),
    Sender.AGENT: PostingRule((ChatStatus.ACTIVE,), ChatAction.WRITE, "This chat is not active."),
}


def _as_now(author):
    """The author as the database has them now (their console's user object may be stale)."""
    if author is None or author.pk is None:
        return None
    return get_user_model().objects.select_related("agent_profile").filter(pk=author.pk).first()


def check_may_post(*, session: ChatSession, sender: str, author=None) -> None:
    """Raise ChatClosed when the chat's state does not take lines from `sender`, NotAllowed when
    the access rule does not let `author` write in it (see the module's rule)."""
    rule = POSTING[sender]
    if session.status not in rule.statuses:
        raise ChatClosed(rule.ended)
    if rule.action is not None and not may(
        user=_as_now(author), session=session, action=rule.action
    ):
        raise NotAllowed(REFUSALS[rule.action])


def may_post(*, session: ChatSession, sender: str, author=None) -> bool:
    """Whether `check_may_post` lets the line through."""
    try:
        check_may_post(session=session, sender=sender, author=author)
    except (ChatClosed, NotAllowed):
        return False
    return True


# The author holds a staff role now, as `helpdesk.roles.user_role` reads it: an active user
# with a staff profile, or an active superuser without one.
_STAFF_NOW = """EXISTS (
    SELECT 1 FROM {users} u LEFT JOIN {profiles} p ON p.user_id = u.id
    WHERE u.id = %(author)s AND u.is_active
      AND (p.role = ANY(%(staff_roles)s) OR (p.id IS NULL AND u.is_superuser)))"""
# The relations of the access rule that SQL can tell from the session row alone.
_RELATIONS_IN_SQL = {Relation.HANDLER: "agent_id = %(author)s"}


def posting_condition(sender: str) -> tuple[str, dict] | None:
    """The rule for `sender` as a condition on chat_chatsession (and its parameters), for the
    one-statement path; None when the access rule needs more than SQL can tell there (the
    Python path then decides)."""
    rule = POSTING[sender]
    params: dict = {"statuses": [str(status) for status in rule.statuses]}
    condition = "status = ANY(%(statuses)s)"
    if rule.action is None:
        return condition, params
    relations = RULES[rule.action]
    if not relations <= _RELATIONS_IN_SQL.keys():
        return None
    any_relation = " OR ".join(_RELATIONS_IN_SQL[relation] for relation in sorted(relations))
    staff_now = _STAFF_NOW.format(
        users=get_user_model()._meta.db_table, profiles=AgentProfile._meta.db_table
    )
    params["staff_roles"] = [str(role) for role in STAFF_ROLES]
    return f"{condition} AND ({any_relation}) AND {staff_now}", params
