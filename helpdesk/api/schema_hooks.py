"""drf-spectacular postprocessing: a description for every path parameter (`ticket_id`: "The
ticket's id.")."""


def describe_path_ids(result, generator, request, public):
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                name = parameter.get("name", "")
                if parameter.get("in") == "path" and not parameter.get("description"):
                    thing = name.removesuffix("_id").replace("_", " ")
                    parameter["description"] = f"The {thing}'s id."
    return result
