import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/**
 * Every error the HTTP APIs return has this JSON shape: a machine-readable code, a sentence for
 * people, and for input errors one entry per bad field with the reason.
 */
export interface FieldIssue {
  field: string;
  reason: string;
}
export interface ErrorBody {
  error: string;
  message: string;
  issues?: FieldIssue[];
}

export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  message: string,
  issues?: FieldIssue[],
) {
  const body: ErrorBody = issues ? { error, message, issues } : { error, message };
  return c.json(body, status);
}

/** `items.0.quantity` style paths, "body" for the document itself. */
export function zodIssues(error: z.ZodError, prefix?: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || "body",
    reason: issue.message,
  }));
}

const CODES: Partial<Record<number, string>> = {
  400: "invalid_json",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/**
 * What a library threw as an HTTPException (a media type check, a malformed body), in our shape with
 * its own status rather than a 500; undefined for any other error.
 */
export function exceptionResponse(c: Context, error: Error) {
  if (!(error instanceof HTTPException) || error.status >= 500) return undefined;
  const status = error.status as ContentfulStatusCode;
  return errorResponse(
    c,
    status,
    CODES[status] ?? "bad_request",
    error.message || "The request was refused.",
  );
}
