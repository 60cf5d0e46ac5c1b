from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helpdesk import health
from helpdesk.selectors.policy import policy_version_in_force


@never_cache
@require_GET
def health_view(request):
    """200 when the database, Redis, a Celery worker and a policy in force are all up; 503 naming
    what is down otherwise."""
    checks = {
        "database": health.check_database(),
        "redis": health.check_redis(),
        "worker": health.check_worker(),
    }
    policy = {"ok": False, "error": "no policy version in force"}
    if checks["database"]["ok"]:
        try:
            version = policy_version_in_force()
        except Exception as exc:  # noqa: BLE001 - reported, never a 500
            policy = {"ok": False, "error": type(exc).__name__}
        else:
            if version is not None:
                policy = {
                    "ok": True,
                    "version": version.version,
                    "effective": version.effective.isoformat(),
                }
    checks["policy"] = policy
    down = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "ok" if not down else "down", "down": down, "checks": checks}
    return JsonResponse(body, status=200 if not down else 503)
