// @ts-check
/**
 * What every page shares (the storefront, the staff screens, the operators' console): the demo sign-in
 * and the token it gives, calls to the API with that token, its JSON errors shown to people, live
 * updates over WebSocket, money and times, and a small helper to build elements (never innerHTML, so
 * nothing the API returns is ever read as markup).
 *
 * A page starts with `startPage({ role })`, which puts the sign-in form into `<div data-sign-in>` and
 * says who is signed in; then `api(path)` and `live(path, onMessage)` act as that person.
 * Sign-in lasts for the browser tab (sessionStorage), one session per role, so one tab can be the
 * customer on the storefront and the cook on the kitchen board.
 */

/** The demo sign-in's answer, and the name typed (the id is made from it). */
/** @typedef {import("../api/sign-in").SignInAnswer & { name?: string }} Session */
/** @typedef {Session["principal"]["role"]} PageRole */
/** @typedef {import("../../../shared/http/errors").ErrorBody} ErrorBody */
/** @typedef {import("../../../shared/http/errors").FieldIssue} FieldIssue */
/** @typedef {import("../../../shared/events/catalog/money").Money} Money */

/** Where each role works: signing in as another role than the page's goes there. */
export const HOME = /** @type {const} */ ({ customer: "/", staff: "/staff/kitchen", operator: "/console" });

const ROLE_NAMES = /** @type {const} */ ({ customer: "Customer", staff: "Staff", operator: "Operator" });

const sessionKey = (/** @type {PageRole} */ role) => `pizza.session.${role}`;

/** The signed-in session for `role` in this tab, unless there is none or its token has expired. */
export function session(/** @type {PageRole} */ role) {
  const text = sessionStorage.getItem(sessionKey(role));
  if (!text) return undefined;
  try {
    const saved = /** @type {Session} */ (JSON.parse(text));
    if (Date.parse(saved.expiresAt) > Date.now() + 5_000) return saved;
  } catch {
    /* not ours: forget it */
  }
  sessionStorage.removeItem(sessionKey(role));
  return undefined;
}

/** An answer of the API that is not a success: its status and our JSON error body. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {ErrorBody} body
   */
  constructor(status, body) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.error;
    /** @type {FieldIssue[]} */
    this.issues = body.issues ?? [];
  }
}

/** The role whose token this page's calls carry (startPage sets it). */
/** @type {PageRole} */
let pageRole = "customer";

/**
 * Calls the API as the page's signed-in person and returns the JSON answer (undefined for an empty
 * one). Anything but a 2xx throws an ApiError carrying our error body: its message and field issues
 * are for people, `showError` shows them.
 * @param {string} path
 * @param {{ method?: string; body?: unknown; headers?: Record<string, string>; as?: PageRole }} [init]
 * @returns {Promise<any>}
 */
export async function api(path, init = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json", ...init.headers };
  const token = session(init.as ?? pageRole)?.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, {
      error: "offline",
      message: "Could not reach the pizzeria. Check your connection.",
    });
  }
  const text = await res.text();
  /** @type {any} */
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body;
  if (body && typeof body.error === "string" && typeof body.message === "string")
    throw new ApiError(res.status, body);
  throw new ApiError(res.status, {
    error: `http_${res.status}`,
    message: `The server answered ${res.status}.`,
  });
}

/** Signs in with the demo sign-in (local runs only) and remembers the session for this tab. */
export async function signIn(/** @type {PageRole} */ role, /** @type {string} */ name) {
  /** @type {Session} */
  const answer = await api("/dev/sign-in", { method: "POST", body: { role, name } });
  const saved = { ...answer, name: name.trim() };
  sessionStorage.setItem(sessionKey(role), JSON.stringify(saved));
  return saved;
}

export function signOut(/** @type {PageRole} */ role) {
  sessionStorage.removeItem(sessionKey(role));
}

/**
 * Keeps a live view open: a WebSocket to `path` (offering `pizza-live.v1` and the bearer token, the only
 * way a browser can send one), every JSON message handed to `onMessage`. When it closes it reopens,
 * waiting longer each time up to half a minute; the server sends the whole current state on every
 * connect, so nothing is missed in between. `onState` hears "open" and "closed" to show whether the
 * view is live. Returns a way to stop.
 * @param {string} path
 * @param {(message: any) => void} onMessage
 * @param {{ onState?: (state: "open" | "closed") => void; as?: PageRole }} [options]
 */
export function live(path, onMessage, options = {}) {
  let stopped = false;
  let attempt = 0;
  /** @type {WebSocket | undefined} */
  let socket;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;

  const connect = () => {
    const token = session(options.as ?? pageRole)?.token;
    if (stopped || !token) return;
    socket = new WebSocket(url, ["pizza-live.v1", `bearer.${token}`]);
    socket.addEventListener("open", () => {
      attempt = 0;
      options.onState?.("open");
    });
    socket.addEventListener("message", (event) => {
      try {
        onMessage(JSON.parse(String(event.data)));
      } catch (error) {
        console.error("live: a message could not be shown", error);
      }
    });
    socket.addEventListener("close", () => {
      options.onState?.("closed");
      if (stopped) return;
      // 1 s, 2 s, 4 s … 30 s, with jitter so many pages do not come back at once.
      const wait = Math.min(30_000, 1_000 * 2 ** attempt++) * (0.75 + Math.random() / 2);
      timer = setTimeout(connect, wait);
    });
  };
  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      socket?.close(1000, "page done");
    },
  };
}

/**
 * Builds an element: `props` are attributes (`class`, `data-*`, `aria-*`, …; true sets a boolean one,
 * false or undefined leaves it out) or, for `on<event>` names, listeners; `children` are nodes or text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | boolean | undefined | ((event: any) => void)>} [props]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === "function") node.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "object" ? child : String(child));
  }
  return node;
}

/** Replaces what `parent` shows. */
export function show(/** @type {Element} */ parent, /** @type {(Node | string)[]} */ ...children) {
  parent.replaceChildren(...children);
}

/** The error box for an error: our API's message and each field's reason, or the error's own message. */
export function errorBox(/** @type {unknown} */ error) {
  const box = el("div", { class: "error", role: "alert" });
  if (error instanceof ApiError) {
    box.append(el("p", {}, error.message));
    if (error.issues.length > 0)
      box.append(
        el("ul", {}, ...error.issues.map((i) => el("li", {}, el("code", {}, i.field), ": ", i.reason))),
      );
  } else {
    box.append(el("p", {}, error instanceof Error ? error.message : String(error)));
  }
  return box;
}

/** Shows `error` in `where` (or clears it when there is none). */
export function showError(/** @type {Element} */ where, /** @type {unknown} */ error) {
  if (error === undefined) where.replaceChildren();
  else where.replaceChildren(errorBox(error));
}

/** £12.50 from { amount: 1250, currency: "GBP" }: minor units, the currency's own digits. */
export function money(/** @type {Money} */ m) {
  const format = new Intl.NumberFormat("en-GB", { style: "currency", currency: m.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(m.amount / 10 ** digits);
}

/** A time of day people read at a glance (with seconds: orders move fast). */
export function time(/** @type {string} */ iso) {
  return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A date and time, for what may be older than today. */
export function dateTime(/** @type {string} */ iso) {
  return new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

/**
 * Starts a page for `role`: puts the demo sign-in form (name and role) into `<div data-sign-in>`, or,
 * once signed in, who it is and a sign-out button. Signing in as another role goes to that role's page
 * (HOME). `onSession` is called with the session now and after every sign-in or sign-out here.
 * @param {{ role: PageRole; onSession?: (session: Session | undefined) => void }} options
 */
export function startPage({ role, onSession }) {
  pageRole = role;
  const slot = document.querySelector("[data-sign-in]");
  const render = () => {
    const current = session(role);
    if (slot) show(slot, current ? whoIsSignedIn(current) : signInForm());
    onSession?.(current);
  };

  const whoIsSignedIn = (/** @type {Session} */ current) =>
    el(
      "div",
      { class: "signed-in", "data-signed-in": current.principal.id },
      el(
        "span",
        { class: "who", title: `Signed in as ${current.principal.id}` },
        el("span", { class: "role-tag" }, ROLE_NAMES[role]),
        " ",
        current.name ?? current.principal.id,
      ),
      el(
        "button",
        {
          type: "button",
          class: "quiet",
          onclick: () => {
            signOut(role);
            render();
          },
        },
        "Sign out",
      ),
    );

  const signInForm = () => {
    const status = el("div", { class: "sign-in-status", "aria-live": "polite" });
    const form = el(
      "form",
      { class: "sign-in", "aria-label": "Demo sign-in" },
      el(
        "label",
        {},
        el("span", { class: "visually-hidden" }, "Name"),
        el("input", {
          name: "name",
          required: true,
          maxlength: 40,
          placeholder: "Your name",
          autocomplete: "name",
        }),
      ),
      el(
        "label",
        {},
        el("span", { class: "visually-hidden" }, "Role"),
        el(
          "select",
          { name: "role" },
          ...Object.entries(ROLE_NAMES).map(([value, label]) =>
            el("option", { value, selected: value === role }, label),
          ),
        ),
      ),
      el("button", { type: "submit" }, "Sign in"),
      el(
        "span",
        { class: "hint", title: "Local runs only: anyone may be anyone. A deploy has no such door." },
        "demo",
      ),
      status,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const chosen = /** @type {PageRole} */ (String(data.get("role")));
      try {
        await signIn(chosen, String(data.get("name") ?? ""));
      } catch (error) {
        showError(status, error);
        return;
      }
      if (chosen !== role) location.assign(HOME[chosen]);
      else render();
    });
    return form;
  };

  render();
}
