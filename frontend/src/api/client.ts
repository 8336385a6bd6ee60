import { serverClock } from "../lib/clock";
import { auth } from "./auth";
import { Client } from "./generated";
import { ApiError, readProblem } from "./problem";

/* The generated client calls this fetch: it adds the API key and turns every non-2xx answer into
   an ApiError carrying the problem details, so the generated code only ever sees successes. */
const http = {
  async fetch(url: RequestInfo, init?: RequestInit): Promise<Response> {
    const sentAuthorization = auth.authorization();
    const headers = new Headers(init?.headers);
    if (sentAuthorization !== null) headers.set("Authorization", sentAuthorization);
    /* Without an API key the service takes changes only as JSON (what a cross-site form cannot
       send): body-less POSTs (pause, resume, sync, test) say so too. */
    const method = (init?.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD" && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
    const response = await window.fetch(url, { ...init, headers });
    serverClock.observe(response.headers.get("Date"));
    if (response.ok) return response;
    if (response.status === 401) {
      auth.refused(sentAuthorization === null ? null : sentAuthorization.slice("Bearer ".length));
      throw new ApiError(401, {
        title: "API key required",
        detail:
          sentAuthorization === null
            ? "This Zenith server requires an API key."
            : "The API key was refused. Check it and enter it again.",
      });
    }
    throw new ApiError(response.status, await readProblem(response));
  },
};

export const api = new Client("", http);
