import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { LogResponse, LogSeverity } from "../../api/generated";
import { type Message, toMessage } from "../../lib/message";
import { pollIntervalMs } from "../../lib/polling";

export type { LogSeverity };
export const logLevels: readonly LogSeverity[] = ["info", "warning", "error"];
export const asLogLevel = (value: string | null): LogSeverity | undefined => logLevels.find((level) => level === value);

export interface LogEntry {
  id: number;
  time: Date;
  level: LogSeverity;
  connectorId: number | null;
  runId: number | null;
  message: Message;
}

export interface LogFilter {
  connectorId?: number | undefined;
  /** This level and the more severe ones. */
  level?: LogSeverity | undefined;
  limit?: number | undefined;
}

export function toLogEntry(wire: LogResponse): LogEntry {
  return {
    id: wire.id,
    time: new Date(wire.time),
    level: wire.level,
    connectorId: wire.connectorId ?? null,
    runId: wire.runId ?? null,
    message: toMessage(wire.message, wire.detail ?? null),
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
