"""What people call a clock's case and where it opens, as each channel app describes its cases
(`sla_registry.register_case`)."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType

from helpdesk import sla_registry
from helpdesk.models import Clock


def case_links(clocks: Iterable[Clock]) -> dict[tuple[int, int], sla_registry.CaseLink]:
    """The label and page of each clock's case ("Ticket #1000", its desk page) as its app
    describes it (`sla_registry.register_case`), keyed by `case_key(clock)`: one query per
    kind of case, whatever the number of clocks."""
    by_type: dict[int, list[int]] = {}
    for clock in clocks:
        by_type.setdefault(clock.case_type_id, []).append(clock.case_id)
    links: dict[tuple[int, int], sla_registry.CaseLink] = {}
    for type_id, ids in by_type.items():
        case_type = ContentType.objects.get_for_id(type_id)  # cached
        model = f"{case_type.app_label}.{case_type.model}"
        for pk, link in sla_registry.describe_cases(model, ids).items():
            links[(type_id, pk)] = link
    return links


def case_key(clock: Clock) -> tuple[int, int]:
    return (clock.case_type_id, clock.case_id)


def case_link(case_type_id: int, case_id: int) -> sla_registry.CaseLink:
    """One case's name and page, from its content type and id (a complaint's source, an
    interaction's case): "Ticket #1000" and its desk page."""
    case_type = ContentType.objects.get_for_id(case_type_id)
    model = f"{case_type.app_label}.{case_type.model}"
    return sla_registry.describe_cases(model, [case_id])[case_id]
