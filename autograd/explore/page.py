"""The standalone explorer page: one HTML file with the front end's script and style inlined.

The page makes no network request: no script, style, font or image is loaded from anywhere, and the
graph travels as JSON inside the page. The same explorer.js runs in the Jupyter widget; here it is
called with a small model object instead of anywidget's.
"""
import html
import json
from importlib import resources

_EXPORT = "export default { render };"


def asset(name):
    """The text of one of the front end's files (explorer.js, explorer.css), shipped as package data."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def script_json(data):
    """JSON that is safe inside <script>: '<', '>' and '&' become \\u escapes, so a label holding
    '</script>' or '<!--' cannot end the script or change how the browser reads it."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
               .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page(data, title):
    """The whole page as a str."""
    js = asset("explorer.js")
    if _EXPORT not in js:
        raise RuntimeError("explorer.js no longer ends with its export line; page.py must be updated")
    js = js.replace(_EXPORT, "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{html.escape(title)}</title>
<style>body {{ margin: 16px; }}
{asset("explorer.css")}</style></head>
<body><div id="pathgrad-explore"></div>
<script id="pathgrad-data" type="application/json">{script_json(data)}</script>
<script>
{js}
(function () {{
  const data = JSON.parse(document.getElementById("pathgrad-data").textContent);
  const state = {{ data, live: false, values: {{}} }};
  const model = {{ get: (k) => state[k], set: (k, v) => {{ state[k] = v; }}, save_changes() {{}}, on() {{}} }};
  render({{ model, el: document.getElementById("pathgrad-explore") }});
}})();
</script></body></html>
"""
