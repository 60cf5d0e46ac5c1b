"""`Authorization: Token <key>`: an integration's API key (see `helpdesk.models.ApiKey`)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from helpdesk.services.api_keys import ApiKeyRefused, api_key_authenticate

KEYWORD = "Token"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the key's owner; `request.auth` is the `ApiKey` (its scopes)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as 'Token <key>'.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The key is not valid.") from None
        try:
            api_key = api_key_authenticate(key=key)
        except ApiKeyRefused as refusal:
            raise exceptions.AuthenticationFailed(str(refusal)) from None
        return api_key.owner, api_key

    def authenticate_header(self, request):
        return KEYWORD


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API key created in the admin, sent as `Token hd_xxxxxxxx_...`. "
            "Each key has scopes (e.g. `tickets:read`); an endpoint names the scope it needs.",
        }
