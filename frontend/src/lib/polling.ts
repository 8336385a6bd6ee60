import { isNotFound } from "../api/problem";

/** How often pages poll the API while open: live enough to watch a sync, cheap for the service. */
export const pollIntervalMs = 2000;

/** Polls until the thing is gone (404): a deleted connector's page stops asking for it. */
export const pollUntilGone = (query: { state: { error: unknown } }): number | false =>
  isNotFound(query.state.error) ? false : pollIntervalMs;
