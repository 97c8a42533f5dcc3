"""Reading Vega-Lite specs in the tests: every encoding block, however deeply layered or faceted."""


def encodings(spec) -> list[dict]:
    """Every encoding block of a Vega-Lite spec (dicts and lists walked to any depth)."""
    found = []
    if isinstance(spec, dict):
        if isinstance(spec.get("encoding"), dict):
            found.append(spec["encoding"])
        for value in spec.values():
            found += encodings(value) if isinstance(value, (dict, list)) else []
    elif isinstance(spec, list):
        for value in spec:
            found += encodings(value)
    return found
