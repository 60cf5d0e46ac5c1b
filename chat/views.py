"""HTTP side of chat: the customer page and its two JSON endpoints (start a chat, leave a
message), the agent console, and canned-response search for it. Thin: parse, call a service.

The two customer endpoints are CSRF-exempt on purpose: they act on no ambient credential (no
session or login is read; a chat is reached only through the token they return), and the
widget may sit on another site: `chat.cors.widget_endpoint` lets the sites of
`CHAT_WIDGET_ORIGINS` call them (CORS, no cookies) and refuses every other site with 403."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chat import services
from chat.access import ChatAction, access_chat
from chat.cors import widget_endpoint
from chat.models import ChatSession, SecureDetail
from chat.services.common import name_in_chat
from chat.services.invitations import start_chat_from_visit
from helpdesk import bounded_json, ratelimit
from helpdesk.access import AccessDenied
from helpdesk.models import CannedResponse
from helpdesk.roles import user_role
from helpdesk.services.knowledge import canned_response_context, render_canned_response
from helpdesk.services.policy import policy_in_force


class BadBody(ValueError):
    """A body that is neither a JSON object nor a form (too deep, not UTF-8, not JSON)."""


def _body(request) -> dict:
    """The fields of a JSON object or a form; strings only (anything else counts as empty).
    JSON is read with bounded nesting (helpdesk.bounded_json): too deep is BadBody, a 400."""
    if request.content_type == "application/json" or request.body.lstrip()[:1] in (b"{", b"["):
        try:
            data = bounded_json.loads(request.body or b"{}")
        except ValueError as error:
            raise BadBody(f"The body is not a JSON object we can read: {error}") from None
        if not isinstance(data, dict):
            raise BadBody("Send a JSON object.")
    else:
        data = request.POST.dict()
    return {k: v if isinstance(v, str) else "" for k, v in data.items()}


def _bad_body(error: BadBody) -> JsonResponse:
    return JsonResponse({"error": "invalid", "detail": str(error)}, status=400)


def _limit(request, scope: str, rate: str, detail: str) -> None:
    """One more request from this address on `scope`: RateLimitExceeded past `rate`."""
    ratelimit.check(scope, ratelimit.client_address(request), rate=rate, detail=detail)


def _limited_body(request, scope: str, rate: str, detail: str) -> tuple[dict, JsonResponse | None]:
    """A public endpoint's request counted on `scope` per address, then its body: the fields,
    or the answer to give instead (429 past `rate`, 400 for a bad body)."""
    try:
        _limit(request, scope, rate, detail)
        return _body(request), None
    except ratelimit.RateLimitExceeded as error:
        return {}, ratelimit.too_many_requests(error)
    except BadBody as error:
        return {}, _bad_body(error)


def _invalid(error: ValidationError) -> JsonResponse:
    return JsonResponse({"error": "invalid", "detail": " ".join(error.messages)}, status=400)


@require_GET
@ensure_csrf_cookie
def chat_page(request):
    """The customer's chat page: the widget, full size."""
    return render(request, "chat/customer.html")


@require_GET
def embed_demo_view(request):
    """A page embedding the widget as another site would, with a proactive invitation."""
    try:
        invite_after = max(0, min(600, int(request.GET.get("invite_after", "30"))))
    except ValueError:
        invite_after = 30
    return render(request, "chat/embed_demo.html", {"invite_after": invite_after})


@csrf_exempt
@widget_endpoint
@require_POST
def start_view(request):
    """Pre-chat form in, a chat out: its token and WebSocket path; 409 with `opens_at` when
    live chat is closed (the widget then offers to leave a message). With the widget's `visit`
    token, the chat belongs to that visit (and goes first to the agent who invited them).
    At most CHAT_START_RATE per address (429 with Retry-After past it)."""
    data, refusal = _limited_body(
        request, "chat-start", settings.CHAT_START_RATE, "Too many chats started."
    )
    if refusal is not None:
        return refusal
    if not data.get("name", "").strip() or not data.get("email", "").strip():
        return JsonResponse({"error": "invalid", "detail": "Name and email, please."}, status=400)
    details = {"name": data["name"], "email": data["email"], "question": data.get("question", "")}
    try:
        if data.get("visit"):
            session = start_chat_from_visit(visit_token=data["visit"], **details)
        else:
            session = services.start_chat(**details)
    except services.ChatUnavailable as closed:
        opens_at = closed.extra.get("opens_at")
        return JsonResponse(
            {
                "error": "unavailable",
                "detail": "Live chat is closed now.",
                "opens_at": opens_at.isoformat() if opens_at else None,
            },
            status=409,
        )
    except ValidationError as error:
        return _invalid(error)
    token = services.token_for(session)
    return JsonResponse(
        {
            "session": session.pk,
            "token": token,
            "ws": f"/ws/chat/{token}/",
            "status": session.status,
        },
        status=201,
    )


@csrf_exempt
@widget_endpoint
@require_POST
def leave_message_view(request):
    """A message (or callback request) left outside service hours: it becomes a ticket. At
    most CHAT_LEAVE_MESSAGE_RATE per address (429 with Retry-After past it)."""
    data, refusal = _limited_body(
        request, "chat-message", settings.CHAT_LEAVE_MESSAGE_RATE, "Too many messages left."
    )
    if refusal is not None:
        return refusal
    try:
        ticket = services.leave_message(
            name=data.get("name", ""),
            email=data.get("email", ""),
            text=data.get("text", ""),
            callback_phone=data.get("callback_phone", ""),
        )
    except ValidationError as error:
        return _invalid(error)
    return JsonResponse({"reference": ticket.reference}, status=201)


def _staff(request) -> None:
    if user_role(request.user) is None:
        raise PermissionDenied("The chat console is for staff.")


@login_required
@ensure_csrf_cookie
def console_view(request):
    """The agent console: queue, chats side by side, greeting, canned responses, history."""
    _staff(request)
    _, policy = policy_in_force()
    return render(request, "chat/console.html", {"company": policy.document.company})


def _readable_chat(user, session_id) -> ChatSession | None:
    """The chat if the user may read it (`chat.access`); None for none, a bad id, or a chat
    that is not theirs: canned responses are then filled in without a customer."""
    if not session_id:
        return None
    try:
        return access_chat(user=user, chat_id=session_id, action=ChatAction.READ)
    except (ChatSession.DoesNotExist, AccessDenied):
        return None


@login_required
@require_GET
def canned_view(request):
    """Canned responses matching `q`, filled in for the chat's customer, as plain text."""
    _staff(request)
    q = request.GET.get("q", "").strip()
    rows = CannedResponse.objects.filter(is_active=True).filter(Q(channel="") | Q(channel="chat"))
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(shortcut__icontains=q) | Q(body__icontains=q))
    session = _readable_chat(request.user, request.GET.get("session"))
    _, policy = policy_in_force()
    context = canned_response_context(
        customer=session.customer if session else None,
        agent=request.user,
        company=policy.document.company,
    )
    if session is not None:  # the reply goes to the visitor: the name they gave, not the record's
        context["customer_name"] = name_in_chat(session) or "there"
    return JsonResponse(
        {
            "results": [
                {
                    "title": r.title,
                    "shortcut": r.shortcut,
                    "text": render_canned_response(response=r, context=context, as_html=False),
                }
                for r in rows[:20]
            ]
        }
    )


@require_http_methods(["GET", "POST"])
def secure_form_view(request, token):
    """The customer's secure form for their chat: details kept encrypted, out of the chat.
    Posts: at most CHAT_SECURE_FORM_RATE per address."""
    session = services.access_session_by_token(token)
    if session is None:
        raise Http404("No such chat.")
    context = {"session": session, "sent": False, "error": ""}
    if request.method == "POST":
        try:
            _limit(request, "chat-secure", settings.CHAT_SECURE_FORM_RATE, "Too many tries.")
        except ratelimit.RateLimitExceeded as error:
            context["error"] = error.detail
            response = render(request, "chat/secure_form.html", context, status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        try:
            services.submit_secure_details(
                session_id=session.pk,
                label=request.POST.get("label", ""),
                value=request.POST.get("value", ""),
            )
            context["sent"] = True
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        except services.ChatError as error:
            context["error"] = error.detail
    return render(request, "chat/secure_form.html", context)


@login_required
@require_POST
def reveal_secure_view(request, detail_id):
    """The value of a secure detail, for the handling agent or their own supervisor (the rule
    of `chat.access`; each showing logged); 403 for anyone else."""
    _staff(request)
    try:
        value = services.reveal_secure_detail(detail_id=detail_id, user=request.user)
    except SecureDetail.DoesNotExist:
        raise Http404("No such detail.") from None
    except AccessDenied as error:
        return JsonResponse({"error": error.code, "detail": error.message}, status=403)
    except services.ChatError as error:
        return JsonResponse({"error": error.code, "detail": error.detail}, status=410)
    response = JsonResponse({"value": value})
    response["Cache-Control"] = "no-store"
    return response
