"""The survey link's token: the invitation's random key, signed with SECRET_KEY.

A token that does not verify was tampered with (or cut short); one that verifies but names no
invitation is unknown. Neither says anything about other invitations.
"""

import secrets

from django.core import signing

SALT = "surveys.invitation"


class TamperedToken(Exception):
    """The token's signature does not match: the link was altered."""


def new_key() -> str:
    return secrets.token_urlsafe(24)


def token_for(key: str) -> str:
    return signing.Signer(salt=SALT).sign(key)


def key_from(token: str) -> str:
    """The invitation key the token carries; `TamperedToken` if it does not verify."""
    try:
        return signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature as error:
        raise TamperedToken("This survey link is not valid.") from error
