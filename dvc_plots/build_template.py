"""Write dvc_plots/offline.html: DVC's plots page with vega, vega-lite and vega-embed inlined.

``dvc plots show`` fills its default page with ``<script src="https://cdn.jsdelivr.net/...">``
(dvc_render's ``{scripts}`` placeholder), so the HTML is blank offline. This template has no
``{scripts}`` placeholder -- the CDN tags are dropped -- and carries the minified builds from
``vendor/`` (npm: vega@5.33.1, vega-lite@5.23.0, vega-embed@6.29.0, all BSD-3-Clause).
``.dvc/config`` ``plots.html_template`` points at it, so a plain ``dvc plots show`` uses it.

Run ``python dvc_plots/build_template.py`` after replacing a file in ``vendor/``.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILDS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")  # load order matters
PAGE = """<!DOCTYPE html>
<html>
<head>
    <meta charset="utf-8">
    {{refresh_tag}}
    <title>mldm plots</title>
{scripts}
    <style>
        body {{ font-family: sans-serif; }}
        table {{ border-spacing: 15px; }}
    </style>
</head>
<body>
    {{plot_divs}}
</body>
</html>
"""


def inline_script(path: Path) -> str:
    """One build as an inline ``<script>``, its source-map comment dropped (no fetch)."""
    js = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "", path.read_text(encoding="utf8"))
    if "</script" in js or "{plot_divs}" in js or "{refresh_tag}" in js:
        raise ValueError(f"{path.name} cannot be inlined: it contains a closing tag/placeholder")
    return f"    <script>/* {path.name} */\n{js}\n    </script>"


def template() -> str:
    return PAGE.format(scripts="\n".join(inline_script(HERE / "vendor" / b) for b in BUILDS))


if __name__ == "__main__":
    (HERE / "offline.html").write_text(template(), encoding="utf8")
