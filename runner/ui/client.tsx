/** @jsxRuntime automatic */
/** @jsxImportSource react */
/** @jsxImportSourceTypes @types/react */
/// <reference lib="dom" />
/**
 * The runner's web UI, bundled for the browser by `deno task build:ui` (into
 * `runner/ui/dist/client.js`) and served under `/ui` by `uiRoutes`. Pages: the workflow
 * list, a workflow's form (its `rjsf.json` rendered by React JSON Schema Form) with the live
 * view of the run it starts, the run history of a workflow, and one run.
 *
 * Everything the page shows comes from the runner API with the bearer token the user enters
 * once (kept in `sessionStorage`); the HTML shell itself holds no data.
 *
 * @module
 */
// @ts-types="@types/react"
import {
  type FormEvent,
  type ReactElement,
  type ReactNode,
  useEffect,
  useMemo,
  useState,
} from "react";
// @ts-types="@types/react-dom/client"
import { createRoot } from "react-dom/client";
import Form, { type IChangeEvent } from "@rjsf/core";
import type { ErrorSchema, RJSFSchema, UiSchema } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import type { RunRecord } from "@wt/contracts";
import { ApiFailure, apiJson, apiLogs, getToken, setToken } from "./_api.ts";
import {
  GROUP_MARKER,
  isObject,
  itemsToErrorSchema,
  type JsonObject,
} from "./_form_errors.ts";

/** What the server put on `#app` (see `renderShell` in `runner/ui.ts`). */
interface BootConfig {
  page: "workflows" | "form" | "runs" | "run";
  workflow: string;
  run: string;
  auth: "required" | "none";
}

interface WorkflowSummary {
  name: string;
  version: string | null;
  title: string | null;
  description: string | null;
}

interface RunResultBody {
  id: string;
  status: RunRecord["status"];
  result: unknown;
  error: string | null;
  trace: string | null;
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
/** Terminal colour and cursor sequences (workflow logs come from `deno task`). */
const ANSI = new RegExp(
  `${String.fromCharCode(27)}\\[[0-9;?]*[ -/]*[@-~]`,
  "g",
);
const enc = encodeURIComponent;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function short(value: unknown, max = 80): string {
  const text = JSON.stringify(value) ?? "";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// --- shared pieces ----------------------------------------------------------------------

function Alert(
  { children, kind = "error" }: { children: ReactNode; kind?: string },
): ReactElement {
  return <div className={`alert alert-${kind}`} role="alert">{children}</div>;
}

function StatusBadge({ status }: { status: string }): ReactElement {
  return (
    <span className={`status status-${status}`} data-status={status}>
      {status}
    </span>
  );
}

function TokenBox(
  { required, unauthorized }: { required: boolean; unauthorized: boolean },
): ReactElement | null {
  const [draft, setDraft] = useState("");
  const saved = getToken();
  if (!required && !unauthorized && !saved) return null;
  if (saved && !unauthorized) {
    return (
      <div className="token">
        <span>Token saved for this session</span>
        <button type="button" className="link" onClick={() => setToken("")}>
          Forget
        </button>
      </div>
    );
  }
  const save = (e: FormEvent) => {
    e.preventDefault();
    setToken(draft.trim());
    setDraft("");
  };
  return (
    <form className="token" id="token-form" onSubmit={save}>
      <label htmlFor="token-input">
        {unauthorized && saved ? "Token rejected; enter it again" : "API token"}
      </label>
      <input
        id="token-input"
        type="password"
        autoComplete="off"
        placeholder="WT_RUNNER_TOKEN"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit">Save</button>
    </form>
  );
}

// --- workflow list ----------------------------------------------------------------------

function WorkflowsPage(): ReactElement {
  const [items, setItems] = useState<WorkflowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    apiJson<{ workflows: WorkflowSummary[] }>("/workflows").then(
      (r) => setItems(r.workflows),
      (e) => setError(message(e)),
    );
  }, []);
  if (error) return <Alert>{error}</Alert>;
  if (!items) return <p className="muted">Loading workflows…</p>;
  if (!items.length) {
    return (
      <p className="muted">
        This runner serves no workflows: start it with{" "}
        <code>--workflows DIR</code> pointing at compiled workflow folders.
      </p>
    );
  }
  return (
    <>
      <h1>Workflows</h1>
      <ul className="workflows">
        {items.map((w) => (
          <li key={w.name}>
            <a className="workflow-link" href={`/ui/${enc(w.name)}`}>
              {w.title ?? w.name}
            </a>
            {w.version && <span className="muted">v{w.version}</span>}
            <a className="small" href={`/ui/${enc(w.name)}/runs`}>runs</a>
            {w.title && <div className="muted small">{w.name}</div>}
            {w.description && <p>{w.description}</p>}
          </li>
        ))}
      </ul>
    </>
  );
}

// --- the form ---------------------------------------------------------------------------

/** The uiSchema of `rjsf.json`, with a class on each task group so it shows as a section. */
function formUiSchema(rjsf: JsonObject): UiSchema {
  const ui: JsonObject = isObject(rjsf["uiSchema"])
    ? structuredClone(rjsf["uiSchema"])
    : {};
  const props = isObject(rjsf["properties"]) ? rjsf["properties"] : {};
  for (const [key, sub] of Object.entries(props)) {
    const group = isObject(sub) && sub[GROUP_MARKER] === true;
    const entry = isObject(ui[key]) ? ui[key] : {};
    const cls = typeof entry["ui:classNames"] === "string"
      ? `${entry["ui:classNames"]} `
      : "";
    entry["ui:classNames"] = `${cls}${group ? "task-group" : "task"}`;
    ui[key] = entry;
  }
  ui["ui:submitButtonOptions"] = { norender: true };
  return ui as UiSchema;
}

function FormPage({ workflow }: { workflow: string }): ReactElement {
  const [rjsf, setRjsf] = useState<JsonObject | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [formData, setFormData] = useState<unknown>(undefined);
  const [extraErrors, setExtraErrors] = useState<ErrorSchema | undefined>();
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [runId, setRunId] = useState<string | null>(null);
  const [mode, setMode] = useState<"sequential" | "parallel">("sequential");
  const [mockIo, setMockIo] = useState(false);

  useEffect(() => {
    apiJson<JsonObject>(`/rjsf?workflow=${enc(workflow)}`).then(
      async (schema) => {
        const from = new URLSearchParams(location.search).get("from");
        if (from) {
          try {
            const run = await apiJson<RunRecord>(`/runs/${enc(from)}`);
            setFormData(
              await apiJson(
                `/params-to-formdata?workflow=${enc(workflow)}`,
                run.params ?? {},
              ),
            );
          } catch (e) {
            setSubmitError(
              `could not load the parameters of run ${from}: ${message(e)}`,
            );
          }
        }
        setRjsf(schema);
      },
      (e) => setLoadError(message(e)),
    );
  }, [workflow]);

  const schema = useMemo(() => {
    if (!rjsf) return null;
    // the page heading shows the title and description; RJSF would repeat them
    const { uiSchema: _ui, title: _title, description: _desc, ...rest } = rjsf;
    return rest as RJSFSchema;
  }, [rjsf]);
  const uiSchema = useMemo(() => rjsf ? formUiSchema(rjsf) : {}, [rjsf]);

  if (loadError) return <Alert>{loadError}</Alert>;
  if (!rjsf || !schema) return <p className="muted">Loading the form…</p>;

  const submit = async ({ formData: data }: IChangeEvent) => {
    setBusy(true);
    setExtraErrors(undefined);
    setSubmitError(null);
    try {
      const params = await apiJson<JsonObject>(
        `/formdata-to-params?workflow=${enc(workflow)}`,
        data ?? {},
      );
      const run = await apiJson<{ id: string }>("/runs", {
        workflow,
        params,
        execution_mode: mode,
        mock_io: mockIo,
      });
      setRunId(run.id);
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 422 && e.details.length) {
        setExtraErrors(
          itemsToErrorSchema(e.details, rjsf, ["params"]) as ErrorSchema,
        );
        setSubmitError(
          "The runner rejected these parameters; see the messages at the fields.",
        );
      } else {
        setSubmitError(message(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>
        {typeof rjsf["title"] === "string" ? rjsf["title"] : workflow}
      </h1>
      <p className="muted small">
        {workflow} · <a href={`/ui/${enc(workflow)}/runs`}>run history</a>
      </p>
      {typeof rjsf["description"] === "string" && (
        <p className="workflow-description">{rjsf["description"]}</p>
      )}
      <Form
        schema={schema}
        uiSchema={uiSchema}
        validator={validator}
        formData={formData}
        onChange={(e) => setFormData(e.formData)}
        onSubmit={submit}
        {...(extraErrors ? { extraErrors } : {})}
        showErrorList="top"
        noHtml5Validate
        disabled={busy}
      >
        {submitError && <Alert>{submitError}</Alert>}
        <details className="options">
          <summary>Run options</summary>
          <label>
            Execution mode{" "}
            <select
              id="run-mode"
              value={mode}
              onChange={(e) =>
                setMode(
                  e.target.value === "parallel" ? "parallel" : "sequential",
                )}
            >
              <option value="sequential">sequential</option>
              <option value="parallel">parallel</option>
            </select>
          </label>
          <label>
            <input
              id="run-mock-io"
              type="checkbox"
              checked={mockIo}
              onChange={(e) => setMockIo(e.target.checked)}
            />{" "}
            Mock IO (io tasks return canned example data)
          </label>
        </details>
        <div className="actions">
          <button type="submit" id="run-button" disabled={busy}>
            {busy ? "Starting…" : "Run workflow"}
          </button>
        </div>
      </Form>
      {runId && <RunPanel key={runId} id={runId} workflow={workflow} />}
    </>
  );
}

// --- runs -------------------------------------------------------------------------------

function RunPanel(
  { id, workflow }: { id: string; workflow: string },
): ReactElement {
  const [run, setRun] = useState<RunRecord | null>(null);
  const [log, setLog] = useState("");
  const [outcome, setOutcome] = useState<RunResultBody | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let offset = 0;
    let delay = 300;
    const decoder = new TextDecoder();
    const tick = async () => {
      try {
        const r = await apiJson<RunRecord>(`/runs/${enc(id)}`);
        if (stopped) return;
        setRun(r);
        setError(null);
        const chunk = await apiLogs(id, offset);
        if (stopped) return;
        if (chunk.bytes.length) {
          offset += chunk.bytes.length;
          const text = decoder.decode(chunk.bytes, { stream: true })
            .replace(ANSI, "");
          setLog((prev) => prev + text);
        }
        if (TERMINAL.has(r.status)) {
          const res = await apiJson<RunResultBody>(`/runs/${enc(id)}/result`);
          if (!stopped) setOutcome(res);
          return;
        }
      } catch (e) {
        if (stopped) return;
        setError(message(e));
        if (e instanceof ApiFailure && (e.status === 404 || e.status === 401)) {
          return;
        }
      }
      delay = Math.min(delay * 1.5, 2000);
      timer = setTimeout(tick, delay);
    };
    tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);

  const cancel = () => {
    apiJson(`/runs/${enc(id)}/cancel`, {}).catch((e) => setError(message(e)));
  };
  const status = run?.status ?? "queued";

  return (
    <section className="run" id="run" data-run-id={id}>
      <h2>
        Run <code>{id}</code> <StatusBadge status={status} />
      </h2>
      {error && <Alert>{error}</Alert>}
      {run && (
        <dl className="facts">
          <dt>Mode</dt>
          <dd className="run-mode">
            {run.execution_mode}
            {run.mock_io ? ", mock IO" : ""}
          </dd>
          <dt>Created</dt>
          <dd>{when(run.created_at)}</dd>
          <dt>Started</dt>
          <dd>{when(run.started_at)}</dd>
          <dt>Finished</dt>
          <dd>{when(run.finished_at)}</dd>
          {run.reason && (
            <>
              <dt>Reason</dt>
              <dd>{run.reason}</dd>
            </>
          )}
          {run.exit_code !== undefined && run.exit_code !== null && (
            <>
              <dt>Exit code</dt>
              <dd>{run.exit_code}</dd>
            </>
          )}
        </dl>
      )}
      <div className="actions">
        {!TERMINAL.has(status) && (
          <button type="button" onClick={cancel}>Cancel run</button>
        )}
        <a href={`/ui/${enc(workflow)}/runs/${enc(id)}`}>Permalink</a>
        <a href={`/ui/${enc(workflow)}?from=${enc(id)}`}>Run again…</a>
      </div>
      {outcome && outcome.error === null && (
        <div className="outcome">
          <h3>Result</h3>
          <pre className="result" data-testid="result">
            {JSON.stringify(outcome.result, null, 2)}
          </pre>
        </div>
      )}
      {outcome && outcome.error !== null && (
        <div className="outcome">
          <h3>Error</h3>
          <pre className="run-error" data-testid="run-error">
            {outcome.error}
          </pre>
          {outcome.trace && (
            <details>
              <summary>Trace</summary>
              <pre>{outcome.trace}</pre>
            </details>
          )}
        </div>
      )}
      <details className="logs" open>
        <summary>Logs</summary>
        <pre data-testid="logs">{log || "(no output yet)"}</pre>
      </details>
    </section>
  );
}

function RunsPage({ workflow }: { workflow: string }): ReactElement {
  const [runs, setRuns] = useState<RunRecord[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [pages, setPages] = useState(1);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const all: RunRecord[] = [];
        let cursor: string | null = null;
        for (let i = 0; i < pages; i++) {
          const q: string = `/runs?workflow=${enc(workflow)}&limit=25${
            cursor ? `&cursor=${enc(cursor)}` : ""
          }`;
          const page: { runs: RunRecord[]; next_cursor: string | null } =
            await apiJson(q);
          all.push(...page.runs);
          cursor = page.next_cursor;
          if (!cursor) break;
        }
        if (stopped) return;
        setRuns(all);
        setNext(cursor);
        setError(null);
        if (all.some((r) => !TERMINAL.has(r.status))) {
          timer = setTimeout(load, 2000);
        }
      } catch (e) {
        if (!stopped) setError(message(e));
      }
    };
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [workflow, pages]);

  return (
    <>
      <h1>Runs</h1>
      <p className="muted small">
        {workflow} · <a href={`/ui/${enc(workflow)}`}>new run</a>
      </p>
      {error && <Alert>{error}</Alert>}
      {!runs && !error && <p className="muted">Loading runs…</p>}
      {runs && !runs.length && <p className="muted">No runs yet.</p>}
      {runs && runs.length > 0 && (
        <div className="table-scroll">
          <table className="runs">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Created</th>
                <th>Finished</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-run-id={r.id}>
                  <td>
                    <a href={`/ui/${enc(workflow)}/runs/${enc(r.id)}`}>
                      <code>{r.id}</code>
                    </a>
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td>{when(r.created_at)}</td>
                  <td>{when(r.finished_at)}</td>
                  <td className="small">
                    {r.error
                      ? (r.error.split("\n")[0] ?? "")
                      : r.status === "succeeded"
                      ? short(r.result)
                      : r.reason ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" onClick={() => setPages(pages + 1)}>
          Load more
        </button>
      )}
    </>
  );
}

// --- the app ----------------------------------------------------------------------------

function App({ config }: { config: BootConfig }): ReactElement {
  const [token, setTokenState] = useState(getToken());
  const [unauthorized, setUnauthorized] = useState(false);
  useEffect(() => {
    const onToken = () => {
      setTokenState(getToken());
      setUnauthorized(false);
    };
    const onUnauthorized = () => setUnauthorized(true);
    addEventListener("wt-token", onToken);
    addEventListener("wt-unauthorized", onUnauthorized);
    return () => {
      removeEventListener("wt-token", onToken);
      removeEventListener("wt-unauthorized", onUnauthorized);
    };
  }, []);

  const needsToken = config.auth === "required" && !token;
  let page: ReactElement;
  if (needsToken) {
    page = (
      <p className="muted">
        This runner requires an API token: enter it above (it is kept for this
        browser session only).
      </p>
    );
  } else if (config.page === "form") {
    page = <FormPage workflow={config.workflow} />;
  } else if (config.page === "runs") {
    page = <RunsPage workflow={config.workflow} />;
  } else if (config.page === "run") {
    page = (
      <>
        <p className="muted small">
          <a href={`/ui/${enc(config.workflow)}`}>{config.workflow}</a> ·{" "}
          <a href={`/ui/${enc(config.workflow)}/runs`}>run history</a>
        </p>
        <RunPanel id={config.run} workflow={config.workflow} />
      </>
    );
  } else {
    page = <WorkflowsPage />;
  }
  return (
    <>
      <header className="top">
        <a className="brand" href="/ui">wt runner</a>
        <nav>
          <a href="/ui">Workflows</a>
          {config.workflow && (
            <a href={`/ui/${enc(config.workflow)}/runs`}>Runs</a>
          )}
        </nav>
        <TokenBox
          required={config.auth === "required"}
          unauthorized={unauthorized}
        />
      </header>
      <main key={token}>{page}</main>
    </>
  );
}

const mount = document.getElementById("app");
if (mount) {
  const data = mount.dataset;
  const config: BootConfig = {
    page: (["workflows", "form", "runs", "run"] as const).find((p) =>
      p === data["page"]
    ) ?? "workflows",
    workflow: data["workflow"] ?? "",
    run: data["run"] ?? "",
    auth: data["auth"] === "required" ? "required" : "none",
  };
  createRoot(mount).render(<App config={config} />);
}
