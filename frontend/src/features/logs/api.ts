import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { LogEntryResponse } from "../../api/generated";
import { pollIntervalMs } from "../../lib/polling";

export const logLevels = ["info", "warning", "error"] as const;
export type LogLevel = (typeof logLevels)[number];

export interface LogEntry {
  id: number;
  time: Date;
  level: string;
  connectorId: number | null;
  runId: number | null;
  message: string;
}

export interface LogFilter {
  connectorId?: number | undefined;
  level?: string | undefined;
  limit?: number | undefined;
}

export function toLogEntry(wire: LogEntryResponse): LogEntry {
  return {
    id: wire.id,
    time: new Date(wire.time),
    level: wire.level.toLowerCase(),
    connectorId: wire.connectorId ?? null,
    runId: wire.runId ?? null,
    message: wire.message,
  };
}

export const logKeys = {
  all: ["logs"] as const,
  list: (filter: LogFilter) => ["logs", filter.connectorId ?? null, filter.level ?? null, filter.limit ?? 200] as const,
};

export function useLogs(filter: LogFilter) {
  return useQuery({
    queryKey: logKeys.list(filter),
    queryFn: async () => (await api.listLogs(filter.connectorId, filter.level, filter.limit ?? 200)).map(toLogEntry),
    refetchInterval: pollIntervalMs,
    // Changing a filter keeps the old lines on screen until the new ones arrive: no flash.
    placeholderData: keepPreviousData,
  });
}
