"""drf-spectacular postprocessing: a description for every path parameter (`ticket_id`: "The
ticket's id."), and every error an operation can answer documented on it, with the one error
body: whatever the view declares, the conventions add 400 (bad parameters or body), 404 (an
unknown id in the path, or an invalid cursor), 405, 413 and 415 (for a body) and 401/403/429."""

from .schema import ERROR_DESCRIPTIONS

ERROR_REF = {"$ref": "#/components/schemas/Error"}


def describe_path_ids(result, generator, request, public):
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                name = parameter.get("name", "")
                if parameter.get("in") == "path" and not parameter.get("description"):
                    thing = name.removesuffix("_id").replace("_", " ")
                    parameter["description"] = f"The {thing}'s id."
    return result


def _errors_of(operation: dict) -> set[int]:
    parameters = operation.get("parameters", [])
    where = {parameter.get("in") for parameter in parameters}
    names = {parameter.get("name") for parameter in parameters if parameter.get("in") == "query"}
    codes = {401, 403, 405, 429}
    if "path" in where or "cursor" in names:
        codes.add(404)
    if "query" in where or "requestBody" in operation:
        codes.add(400)
    if "requestBody" in operation:
        codes |= {400, 413, 415}
    return codes


def document_errors(result, generator, request, public):
    for item in result.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for code in sorted(_errors_of(operation)):
                responses.setdefault(
                    str(code),
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
            if "404" in responses and any(
                parameter.get("name") == "cursor" for parameter in operation.get("parameters", [])
            ):
                description = responses["404"]["description"]
                if "cursor" not in description:
                    responses["404"]["description"] = (
                        f"{description} Or the `cursor` is not one of ours (`Invalid cursor`)."
                    )
    return result
