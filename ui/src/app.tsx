// The shell: loads the API description once, then routes to a page. Also the token
// prompt, shown when the server asks who we are.
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { Provider } from "urql";
import { setToken, useToken } from "./auth.ts";
import { createClient, errorMessage, isUnauthenticated } from "./client.ts";
import { useOperation } from "./hooks.ts";
import { type Api, ApiContext, hasField, toApi, useApi } from "./models.tsx";
import { JobModelsQuery, SchemaTypesQuery } from "./operations.ts";
import { JobPage } from "./pages/job.tsx";
import { ModelPage } from "./pages/model.tsx";
import { Overview } from "./pages/overview.tsx";
import { SubmitPage } from "./pages/submit.tsx";
import { Link, useLocation } from "./router.tsx";

export function App() {
  const token = useToken();
  const [askToken, setAskToken] = useState(false);
  // The server's reason for closing the live connection of a token (4401), if it did.
  const [liveRefusal, setLiveRefusal] = useState<{ token: string | null; reason: string } | null>(null);
  // A new token means new connections: rebuild the client (and its WebSocket).
  const client = useMemo(
    () =>
      createClient(token, (reason) => {
        setLiveRefusal({ token, reason });
        setAskToken(true);
      }),
    [token],
  );
  return (
    <Provider value={client}>
      <Shell
        token={token}
        askToken={askToken}
        setAskToken={setAskToken}
        liveRefusal={liveRefusal?.token === token ? liveRefusal.reason : null}
        key={token ?? ""}
      />
    </Provider>
  );
}

function Shell({
  token,
  askToken,
  setAskToken,
  liveRefusal,
}: {
  token: string | null;
  askToken: boolean;
  setAskToken: (ask: boolean) => void;
  liveRefusal: string | null;
}) {
  const [models] = useOperation(JobModelsQuery, {});
  const [schema] = useOperation(SchemaTypesQuery, {});
  const api = useMemo(
    () => (models.data && schema.data ? toApi(models.data, schema.data) : null),
    [models.data, schema.data],
  );
  const error = models.error ?? schema.error;
  const unauthenticated = isUnauthenticated(error);
  useEffect(() => {
    if (unauthenticated) setAskToken(true);
  }, [unauthenticated, setAskToken]);
  // Why the server refused the token given, in its own words (HTTP 401, or the live
  // connection closed with 4401).
  const refusal = token !== null && unauthenticated && error ? errorMessage(error) : liveRefusal;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          jobstar
        </Link>
        <nav aria-label="Models">
          <ul>
            {api?.models.map((model) => (
              <li key={model.name}>
                <Link to={`/models/${model.name}`}>{model.name}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="identity">
          {api && <Viewer api={api} />}
          {token ? (
            <button type="button" onClick={() => setToken(null)}>
              Sign out
            </button>
          ) : (
            <button type="button" onClick={() => setAskToken(!askToken)} aria-expanded={askToken}>
              Token
            </button>
          )}
        </div>
      </header>
      {askToken && <TokenPrompt refusal={refusal} onDone={() => setAskToken(false)} />}
      <main id="main" tabIndex={-1}>
        {error && !unauthenticated && <p role="alert">{errorMessage(error)}</p>}
        {unauthenticated && <p role="alert">The server needs a token to show anything.</p>}
        {!api && !error && <p className="muted">Loading…</p>}
        {api && (
          <ApiContext.Provider value={api}>
            <Routes />
          </ApiContext.Provider>
        )}
      </main>
    </>
  );
}

/** Who the server says we are, with their roles; nothing on a server that authenticates nobody. */
function Viewer({ api }: { api: Api }) {
  const has = hasField(api, "Query", "viewer");
  const [state] = useOperation<
    { viewer: { user: string | null; roles: string[]; authenticated: boolean } | null },
    Record<string, never>
  >({ query: "query Viewer { viewer { user roles authenticated } }" }, {}, !has);
  const viewer = state.data?.viewer;
  if (!viewer?.authenticated || !viewer.user) return null;
  const roles = viewer.roles.length ? viewer.roles.join(", ") : "no roles";
  return (
    <span className="viewer" title={`Signed in as ${viewer.user} (${roles})`}>
      {viewer.user}
    </span>
  );
}

function TokenPrompt({ refusal, onDone }: { refusal: string | null; onDone: () => void }) {
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("token") ?? "").trim();
    setToken(value || null);
    onDone();
  };
  return (
    <form className="token-prompt" onSubmit={onSubmit} aria-label="Access token">
      <label htmlFor="token">Access token</label>
      {refusal !== null && (
        <span className="field-error" role="alert">
          The server refused this token: {refusal}
        </span>
      )}
      <input id="token" name="token" type="password" autoComplete="off" required />
      <button type="submit" className="primary">
        Use token
      </button>
      <span className="hint">Kept in this tab only (session storage); sent as a bearer token.</span>
    </form>
  );
}

function Routes() {
  const location = useLocation();
  const [path, search = ""] = location.split("?", 2) as [string, string?];
  const api = useApi();
  // After a navigation (not on the first load), focus moves to the new page's content,
  // for keyboard and screen reader users.
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: on each new path
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById("main")?.focus({ preventScroll: true });
  }, [path]);

  const model = /^\/models\/([^/]+)(\/new)?\/?$/.exec(path);
  if (model?.[1]) {
    const found = api.models.find((m) => m.name === decodeURIComponent(model[1] ?? ""));
    if (!found) return <NotFound what={`model ${model[1]}`} />;
    return model[2] ? <SubmitPage model={found} /> : <ModelPage model={found} search={search} />;
  }
  const job = /^\/jobs\/([^/]+)\/?$/.exec(path);
  if (job?.[1]) {
    const id = decodeURIComponent(job[1]);
    const key = id.slice(0, id.indexOf(":"));
    const found = api.models.find((m) => m.key === key);
    if (!found) return <NotFound what={`job ${id}`} />;
    return <JobPage key={id} id={id} model={found} />;
  }
  if (path === "/" || path === "") return <Overview />;
  return <NotFound what={`page ${path}`} />;
}

function NotFound({ what }: { what: string }) {
  useEffect(() => {
    document.title = "Not found · jobstar";
  }, []);
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no {what}. <Link to="/">Back to the overview</Link>
      </p>
    </section>
  );
}
