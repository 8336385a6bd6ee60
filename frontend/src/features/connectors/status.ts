import type { Connector } from "./api";

export type BadgeKind = "running" | "paused" | "error" | "failed" | "succeeded" | "cancelled" | "pending";

export interface Badge {
  kind: BadgeKind;
  label: string;
  /** Why the badge says what it says, for the tooltip and screen readers. */
  description: string;
}

/* One badge per connector, by what a user needs to know first: a sync in progress, then a state
   the user set or must act on (paused, error), then how the latest run ended. */
export function connectorBadge(
  connector: Pick<Connector, "status" | "running" | "lastResult" | "consecutiveFailures"> & Partial<Pick<Connector, "stuck" | "credentialsUnreadable">>,
): Badge {
  if (connector.stuck === true) {
    return { kind: "error", label: "Stuck", description: "The sync passed its deadline (timeouts.run_seconds) and has not stopped yet." };
  }
  if (connector.credentialsUnreadable === true) {
    return { kind: "error", label: "Credentials unreadable", description: "Its saved passwords cannot be decrypted: enter the password again." };
  }
  if (connector.running) return { kind: "running", label: "Running", description: "A sync is in progress." };
  if (connector.status === "paused") return { kind: "paused", label: "Paused", description: "Scheduled syncs are paused." };
  if (connector.status === "error") {
    return {
      kind: "error",
      label: "Error",
      description: `Stopped after ${connector.consecutiveFailures} consecutive failures; resume to retry.`,
    };
  }
  switch (connector.lastResult?.status) {
    case "succeeded":
      return { kind: "succeeded", label: "Succeeded", description: "The latest sync succeeded." };
    case "failed":
      return { kind: "failed", label: "Failed", description: connector.lastResult.error?.line ?? "The latest sync failed." };
    case "cancelled":
      return { kind: "cancelled", label: "Cancelled", description: "The latest sync was cancelled." };
    case "running":
      return { kind: "running", label: "Running", description: "A sync is in progress." };
    case "queued":
      return { kind: "pending", label: "Queued", description: "Waiting for a free slot (processing.max_parallel_jobs)." };
    default:
      return { kind: "pending", label: "Not run yet", description: "The first sync has not run yet." };
  }
}

export function runBadge(status: string): Badge {
  switch (status) {
    case "succeeded":
      return { kind: "succeeded", label: "Succeeded", description: "The run succeeded." };
    case "failed":
      return { kind: "failed", label: "Failed", description: "The run failed." };
    case "running":
      return { kind: "running", label: "Running", description: "The run is in progress." };
    case "cancelled":
      return { kind: "cancelled", label: "Cancelled", description: "The run was cancelled." };
    case "queued":
      return { kind: "pending", label: "Queued", description: "Waiting for a free slot (processing.max_parallel_jobs)." };
    default:
      return { kind: "pending", label: status, description: status };
  }
}

/** "0.4 s behind · caught up": a streaming change_stream connector's lag, or why there is none. */
export function formatLag(connector: Connector): string {
  if (connector.lag === null) return connector.running ? "loading the collection" : "not streaming";
  const seconds = connector.lag.seconds < 10 ? connector.lag.seconds.toFixed(1) : Math.round(connector.lag.seconds).toString();
  return `${seconds} s behind${connector.lag.caughtUp ? " · caught up" : ""}`;
}
