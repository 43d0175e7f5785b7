// The JSON API: one fetch wrapper that sends the CSRF token on writes and turns failures into typed errors.

import { t } from "./i18n.js";
const BASE = "/api/v1";
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let csrfToken = null;
let revokedListener = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

// The page's answer to 401 session_revoked from any call (a screen's fetch, not only a sync run).
export function onSessionRevoked(listener) {
  revokedListener = listener;
}

// The server answered with an error body {"error": {"code", "message", "fields"}}.
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const error = (body && body.error) || {};
    super(error.message || t("api.answered", { status }));
    this.name = "ApiError";
    this.status = status;
    this.code = error.code || "http_" + status;
    this.fields = error.fields || null;
    this.retryAfter = retryAfter;
  }
}

// The request never reached the server, or no answer came back.
export class NetworkError extends Error {
  constructor(cause) {
    super(t("api.noConnection"));
    this.name = "NetworkError";
    this.cause = cause;
  }
}

// An administrator ended this session on the server (not an expiry, not a network failure).
export const isRevoked = (error) => error instanceof ApiError && error.status === 401 && error.code === "session_revoked";

export async function api(path, { method = "GET", body, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (WRITES.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(BASE + path, {
      method, headers, signal, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new NetworkError(error);
  }
  if (response.status === 204) return null;
  let parsed;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const retry = Number.parseInt(response.headers.get("Retry-After") || "", 10);
    const error = new ApiError(response.status, parsed, Number.isFinite(retry) ? retry : null);
    if (revokedListener && isRevoked(error)) revokedListener(error);
    throw error;
  }
  return parsed;
}

export const apiUrl = (path) => BASE + path;
