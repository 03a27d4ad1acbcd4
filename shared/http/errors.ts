import type { Context } from "hono";
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
