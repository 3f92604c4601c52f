"""The HTML report's stylesheet, inlined into every report so the file stands alone."""

from __future__ import annotations

CSS = """
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --paper: #ffffff; --band: #f6f8fa;
  --err: #b42318; --err-bg: #fdecea; --warn: #8a5300; --warn-bg: #fff4d6;
  --info: #0b57d0; --info-bg: #e8f0fe; --ok: #1a7f37; --ok-bg: #e6f4ea;
  --avail: #6f42c1; --avail-bg: #f1ebfb;
}
* { box-sizing: border-box; }
body {
  margin: 0; padding: 24px 32px 48px; color: var(--ink); background: var(--paper);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif;
}
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px;
     border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
h4 { font-size: 13px; margin: 12px 0 2px; color: var(--muted); text-transform: uppercase;
     letter-spacing: .03em; }
p { margin: 4px 0 8px; max-width: 80em; }
a { color: var(--info); }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
              font-size: 12.5px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 10px 0 0;
        color: var(--muted); }
.meta dt { font-weight: 600; }
.meta dd { margin: 0; color: var(--ink); word-break: break-all; }
.verdict { max-width: none; margin: 18px 0 4px; padding: 10px 14px; border-radius: 6px;
           font-weight: 600; border-left: 5px solid; }
.verdict.ok { background: var(--ok-bg); border-color: var(--ok); color: #0f5323; }
.verdict.fail { background: var(--err-bg); border-color: var(--err); color: #7a1a12; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(86px, 1fr));
           gap: 8px; margin: 14px 0 4px; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
          background: var(--band); }
.figure .value { display: block; font-size: 20px; font-weight: 700; overflow-wrap: anywhere; }
.figure .label { display: block; color: var(--muted); font-size: 12px; }
.figure.bad .value { color: var(--err); }
.figure.good .value { color: var(--ok); }
table.findings { width: 100%; border-collapse: collapse; margin-top: 6px; }
table.findings th, table.findings td { text-align: left; vertical-align: top; padding: 6px 8px;
                                       border-bottom: 1px solid var(--line); }
table.findings thead th { background: var(--band); font-size: 12px; color: var(--muted);
                          position: sticky; top: 0; }
tr.claim-head th { background: #eef1f4; font-size: 14px; padding-top: 10px; }
tr.claim-head .count { font-weight: 400; color: var(--muted); margin-left: 8px; }
tr.finding td:first-child { border-left: 4px solid transparent; }
tr.sev-error td:first-child { border-left-color: var(--err); }
tr.sev-warning td:first-child { border-left-color: #d4a72c; }
tr.sev-info td:first-child { border-left-color: var(--info); }
td.num { text-align: right; white-space: nowrap; }
.rule-name { display: block; color: var(--muted); font-size: 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
         font-weight: 600; white-space: nowrap; }
.badge.sev-error { background: var(--err-bg); color: var(--err); }
.badge.sev-warning { background: var(--warn-bg); color: var(--warn); }
.badge.sev-info { background: var(--info-bg); color: var(--info); }
.badge.st-applied { background: var(--ok-bg); color: var(--ok); }
.badge.st-available { background: var(--avail-bg); color: var(--avail); }
.badge.st-suggested { background: var(--info-bg); color: var(--info); }
.badge.st-none { background: #eef1f4; color: var(--muted); }
.badge.st-reverted { background: var(--err-bg); color: var(--err); }
td.change { min-width: 14em; }
.change .before, .change .after { padding: 1px 4px; border-radius: 3px; white-space: pre-wrap;
                                  overflow-wrap: anywhere; box-decoration-break: clone;
                                  -webkit-box-decoration-break: clone; }
.change .before { background: var(--err-bg); }
.change .after { background: var(--ok-bg); }
.change .after.proposed { background: transparent; border: 1px dashed var(--ok); }
.change .arrow { color: var(--muted); padding: 0 4px; }
.empty { color: var(--muted); font-style: italic; }
dl.legend { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; margin: 8px 0; }
dl.legend dd { margin: 0; }
dl.legend code { white-space: nowrap; }
.legends { display: grid; grid-template-columns: 1fr 2fr; gap: 24px; }
section.rule { border: 1px solid var(--line); border-radius: 6px; padding: 4px 16px 8px;
               margin: 12px 0; }
section.rule:target { border-color: var(--info); box-shadow: 0 0 0 2px var(--info-bg); }
section.rule .rule-meta { color: var(--muted); margin-top: 0; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print {
  body { padding: 0; }
  table.findings thead th { position: static; }
  tr.finding { break-inside: avoid; }
}
"""
