import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { RunResponse, RunStatus, RunTrigger } from "../../api/generated";
import { type Message, toMessage } from "../../lib/message";
import { pollUntilGone } from "../../lib/polling";

export type { RunStatus, RunTrigger };

export interface Run {
  id: number;
  connectorId: number;
  trigger: RunTrigger;
  status: RunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  rowsRead: number;
  rowsWritten: number;
  rowsFailed: number;
  bytes: number;
  durationMs: number | null;
  /** Rows written per second of the run; null while it has no duration. */
  rowsPerSecond: number | null;
  error: Message | null;
}

/* Until the API reports live progress, a run's rate is what it wrote over how long it took. */
function rateOf(rowsWritten: number, durationMs: number | null): number | null {
  return durationMs === null || durationMs <= 0 ? null : rowsWritten / (durationMs / 1000);
}

export function toRun(wire: RunResponse): Run {
  return {
    id: wire.id,
    connectorId: wire.connectorId,
    trigger: wire.trigger,
    status: wire.status,
    startedAt: new Date(wire.startedAt),
    finishedAt: wire.finishedAt ? new Date(wire.finishedAt) : null,
    rowsRead: wire.rowsRead,
    rowsWritten: wire.rowsWritten,
    rowsFailed: wire.rowsFailed,
    bytes: wire.bytes,
    durationMs: wire.durationMs ?? null,
    rowsPerSecond: rateOf(wire.rowsWritten, wire.durationMs ?? null),
    error: wire.error ? toMessage(wire.error, wire.errorDetail ?? null) : null,
  };
}

export const runKeys = {
  all: ["runs"] as const,
  forConnector: (connectorId: number, limit: number) => ["runs", connectorId, limit] as const,
};

export function useRuns(connectorId: number, limit = 50) {
  return useQuery({
    queryKey: runKeys.forConnector(connectorId, limit),
    queryFn: async () => (await api.listRuns(connectorId, limit)).map(toRun),
    refetchInterval: pollUntilGone,
  });
}
