// Errors from the API are RFC 7807 problem details; field errors come keyed by property path.
import { type Message, toMessage } from "../lib/message";

export interface ProblemDetails {
  title?: string;
  detail?: string;
  status?: number;
  errors?: Record<string, string[]>;
  /** The drivers' own text behind `detail` (a failed preview), for the details a person may open. */
  errorDetail?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails;

  constructor(status: number, problem: ProblemDetails) {
    super(problem.detail ?? problem.title ?? `The request failed with HTTP ${status}.`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  /** Field errors with keys normalised to camelCase dotted paths (`Source.Uri` → `source.uri`). */
  get fieldErrors(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [key, messages] of Object.entries(this.problem.errors ?? {})) {
      const path = normaliseFieldPath(key);
      const message = messages.join(" ");
      if (message !== "") result[path] = result[path] === undefined ? message : `${result[path]} ${message}`;
    }
    return result;
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.status === 404;

export function normaliseFieldPath(key: string): string {
  return key
    .replace(/^\$\.?/, "")
    .split(".")
    .filter((part) => part !== "")
    .map((part) => part.charAt(0).toLowerCase() + part.slice(1))
    .join(".");
}

export async function readProblem(response: Response): Promise<ProblemDetails> {
  const text = await response.text();
  if (text.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null) return parsed;
    } catch {
      return { title: response.statusText, detail: text.slice(0, 500) };
    }
  }
  return { title: response.statusText || `HTTP ${response.status}` };
}

/** The error as a message: its one text, with the drivers' text (a problem's `errorDetail`) as the details. */
export function errorToMessage(error: unknown): Message {
  const details = error instanceof ApiError ? (error.problem.errorDetail ?? null) : null;
  return toMessage(errorMessage(error), details);
}

/** Title and detail as one text: "Connector not found. There is no…", "Conflict: A connector…". */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const title = error.problem.title?.trim() ?? "";
    const detail = error.problem.detail?.trim() ?? "";
    if (title === "" || detail === "") return error.message;
    return /[.!?:]$/.test(title) ? `${title} ${detail}` : `${title}: ${detail}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
