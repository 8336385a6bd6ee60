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
  /** Rows written per second: of the whole run, or while it runs up to its latest insert; null before one. */
  rowsPerSecond: number | null;
  /** For a run that reads the whole collection: its estimated size, and how far it got (0–1); else null. */
  estimatedRows: number | null;
  progress: number | null;
  error: Message | null;
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
    rowsPerSecond: wire.rowsPerSecond ?? null,
    estimatedRows: wire.estimatedRows ?? null,
    progress: wire.progress ?? null,
    error: wire.error ? toMessage(wire.error, wire.errorDetail ?? null) : null,
  };
}

/** A run that is queued or going (what the progress shows). */
export const isLive = (run: Run | null): run is Run => run !== null && (run.status === "running" || run.status === "queued");

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
