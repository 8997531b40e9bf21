"""The report's stylesheet, inlined into the page (a module, not a .css file: bundles and wheels ship
Python files as they are)."""

STYLE = """
:root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --ok: #047857; --bad: #b91c1c; --bg: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--bg); }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
header { border-bottom: 1px solid var(--line); margin-bottom: 12px; }
h1 { font-size: 1.5rem; margin: 8px 0 4px; }
h2 { font-size: 1.1rem; margin: 0 0 8px; }
.meta { color: var(--muted); margin: 0 0 8px; word-break: break-all; }
.verdict { padding: 10px 14px; border-radius: 8px; font-weight: 600; margin: 12px 0; }
.verdict.ok { background: #d1fae5; color: var(--ok); }
.verdict.bad { background: #fee2e2; color: var(--bad); }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
  margin-bottom: 12px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num { text-align: right; }
.pass { color: var(--ok); font-weight: 600; }
.fail { color: var(--bad); font-weight: 600; }
.hash { font-family: ui-monospace, monospace; font-size: 0.85em; word-break: break-all; }
svg { width: 100%; height: auto; max-width: 520px; display: block; font-size: 11px; }
svg .frame { fill: none; stroke: #9ca3af; }
svg .grid { stroke: var(--line); }
svg .diagonal { stroke: #9ca3af; stroke-dasharray: 4 3; }
.matrix td { text-align: center; font-size: 1.1rem; }
.note { color: var(--muted); font-size: 0.9em; }
@media (max-width: 600px) { body { font-size: 14px; } main { padding: 8px; } th, td { padding: 3px 4px; } }
"""
