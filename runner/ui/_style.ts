/**
 * The web UI's style sheet (plain CSS over the markup of RJSF's default theme), kept as a
 * module so that it ships with the runner wherever the runner's code goes.
 *
 * @module
 */

/** The CSS served at `/ui/_assets/style.css`. */
export const STYLE_CSS: string = `
:root {
  --fg: #1d2329;
  --muted: #66707a;
  --line: #d8dde2;
  --bg: #f6f7f9;
  --card: #ffffff;
  --accent: #1f6f5c;
  --danger: #b3261e;
  --ok: #1b7f3b;
  --warn: #a36200;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 15px;
  line-height: 1.45;
  color: var(--fg);
  background: var(--bg);
}
body {
  margin: 0;
}
a {
  color: var(--accent);
}
code, pre {
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.9em;
}
header.top {
  display: flex;
  gap: 1.25rem;
  align-items: center;
  flex-wrap: wrap;
  padding: 0.6rem 1.5rem;
  background: var(--card);
  border-bottom: 1px solid var(--line);
}
header.top .brand {
  font-weight: 700;
  text-decoration: none;
  color: var(--fg);
}
header.top nav {
  display: flex;
  gap: 1rem;
  flex: 1;
}
.token {
  display: flex;
  gap: 0.5rem;
  align-items: center;
  font-size: 0.9em;
}
main {
  max-width: 860px;
  margin: 1.5rem auto;
  padding: 0 1.5rem 3rem;
}
h1 {
  margin: 0 0 0.25rem;
  font-size: 1.5rem;
}
.muted {
  color: var(--muted);
}
.small {
  font-size: 0.85em;
}
input, select, textarea {
  font: inherit;
  padding: 0.35rem 0.5rem;
  border: 1px solid var(--line);
  border-radius: 4px;
  background: #fff;
  box-sizing: border-box;
}
.form-group input, .form-group select, .form-group textarea {
  width: 100%;
  max-width: 28rem;
}
input[type="checkbox"], input[type="radio"] {
  width: auto;
}
button {
  font: inherit;
  padding: 0.4rem 0.9rem;
  border: 1px solid var(--accent);
  border-radius: 4px;
  background: var(--accent);
  color: #fff;
  cursor: pointer;
}
button:disabled {
  opacity: 0.6;
  cursor: default;
}
button.link, .array-item-toolbox button, .array-item-add button {
  background: transparent;
  color: var(--accent);
}
.actions {
  display: flex;
  gap: 1rem;
  align-items: center;
  margin: 1rem 0;
}

details.options {
  margin: 0.5rem 0;
  font-size: 0.9em;
}
details.options label {
  display: block;
  margin: 0.4rem 0 0 1rem;
}

/* workflow list */
ul.workflows {
  list-style: none;
  padding: 0;
}
ul.workflows li {
  background: var(--card);
  border: 1px solid var(--line);
  border-radius: 6px;
  padding: 0.75rem 1rem;
  margin-bottom: 0.75rem;
}
ul.workflows li > * + * {
  margin-left: 0.6rem;
}
ul.workflows .workflow-link {
  font-weight: 600;
}
ul.workflows p, ul.workflows div {
  margin: 0.3rem 0 0;
}

/* the form (RJSF default theme markup) */
form.rjsf {
  margin-top: 1rem;
}
fieldset {
  border: 0;
  margin: 0;
  padding: 0;
  min-width: 0;
}
legend {
  font-weight: 600;
  padding: 0;
}
.form-group {
  margin-bottom: 0.9rem;
}
.form-group > label, .control-label {
  display: block;
  font-weight: 500;
  margin-bottom: 0.2rem;
}
.field-description, .help-block {
  color: var(--muted);
  font-size: 0.85em;
  margin: 0.1rem 0 0.3rem;
}
.task, .task-group {
  background: var(--card);
  border: 1px solid var(--line);
  border-radius: 6px;
  padding: 0.9rem 1rem 0.3rem;
  margin-bottom: 1rem;
}
.task-group {
  border-left: 4px solid var(--accent);
}
.task-group .task {
  border: 0;
  border-top: 1px solid var(--line);
  border-radius: 0;
  padding: 0.75rem 0 0;
  margin: 0.5rem 0 0;
}
.task > fieldset > legend, .task-group > fieldset > legend {
  font-size: 1.05rem;
}
.task-group > fieldset > legend {
  text-transform: uppercase;
  letter-spacing: 0.04em;
  font-size: 0.9rem;
  color: var(--accent);
}
.has-error input, .has-error select, .has-error textarea {
  border-color: var(--danger);
}
.error-detail {
  list-style: none;
  padding: 0;
  margin: 0.2rem 0 0;
  color: var(--danger);
  font-size: 0.85em;
}
.panel.errors {
  border: 1px solid var(--danger);
  border-radius: 6px;
  background: #fdf1f0;
  padding: 0.25rem 1rem;
  margin-bottom: 1rem;
}
.panel.errors .panel-heading h3 {
  margin: 0.5rem 0 0;
  font-size: 1rem;
  color: var(--danger);
}
.panel.errors ul {
  margin: 0.4rem 0 0.6rem;
  padding-left: 1.2rem;
}
.alert {
  border-radius: 6px;
  padding: 0.6rem 0.9rem;
  margin: 0.75rem 0;
  white-space: pre-wrap;
}
.alert-error {
  background: #fdf1f0;
  border: 1px solid var(--danger);
  color: var(--danger);
}

/* runs */
section.run {
  background: var(--card);
  border: 1px solid var(--line);
  border-radius: 6px;
  padding: 0.9rem 1rem;
  margin-top: 1.5rem;
}
section.run h2 {
  margin: 0;
  font-size: 1.15rem;
}
.status {
  display: inline-block;
  padding: 0.05rem 0.5rem;
  border-radius: 999px;
  font-size: 0.8rem;
  font-weight: 600;
  background: #e9ecef;
  color: var(--muted);
  vertical-align: middle;
}
.status-running {
  background: #fff3d6;
  color: var(--warn);
}
.status-succeeded {
  background: #e3f4e8;
  color: var(--ok);
}
.status-failed {
  background: #fdf1f0;
  color: var(--danger);
}
dl.facts {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 0.15rem 1rem;
  margin: 0.75rem 0;
  font-size: 0.9em;
}
dl.facts dt {
  color: var(--muted);
}
dl.facts dd {
  margin: 0;
}
pre {
  background: var(--bg);
  border: 1px solid var(--line);
  border-radius: 4px;
  padding: 0.6rem 0.8rem;
  overflow: auto;
  max-height: 24rem;
  white-space: pre-wrap;
  word-break: break-word;
}
pre.result {
  font-size: 1.1rem;
}
pre.run-error {
  color: var(--danger);
}
details summary {
  cursor: pointer;
  font-weight: 500;
}
/* a narrow window scrolls the table, not the page */
.table-scroll {
  overflow-x: auto;
  margin: 1rem 0;
}
table.runs {
  width: 100%;
  min-width: 40rem;
  border-collapse: collapse;
  background: var(--card);
}
table.runs th, table.runs td {
  text-align: left;
  padding: 0.4rem 0.6rem;
  border-bottom: 1px solid var(--line);
  vertical-align: top;
}
table.runs th {
  font-size: 0.85em;
  color: var(--muted);
  font-weight: 500;
}
`;
