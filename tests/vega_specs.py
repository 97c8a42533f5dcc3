"""Reading Vega-Lite specs in the tests: every encoding block, however deeply layered or faceted, and every mark of
the scenegraph Vega lays one out as (vl_convert)."""


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


def scene_marks(graph: dict) -> list[tuple[dict, float, float]]:
    """Every mark of a vl_convert scenegraph, groups too, in the order Vega draws them (later ones on top), each
    with the px offset of the group it is in (the chart's origin included)."""
    found = []

    def walk(node, x: float, y: float) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, x, y)
        elif isinstance(node, dict) and "marktype" in node:
            found.append((node, x, y))
            if node["marktype"] == "group":
                for item in node["items"]:
                    walk(item.get("items", []), x + item.get("x", 0), y + item.get("y", 0))
        elif isinstance(node, dict):
            walk([value for value in node.values() if isinstance(value, (dict, list))], x, y)

    walk(graph["scenegraph"], *graph.get("origin", [0, 0]))
    return found


def title_text(spec: dict, narrow: bool = False) -> str | list[str] | None:
    """A chart's title as the page wrote it: its text, or its lines (charts.title_lines), whether the spec gives the
    title as itself or as a dict with its text (draw.whole_titles' {"text", "limit"}); a title that a narrow window
    breaks into lines (charts.breaking_title) as a wide window draws it, or a `narrow` one."""
    from views.charts import title_text as drawn

    title = spec.get("title")
    return None if title is None else drawn(title, narrow)
