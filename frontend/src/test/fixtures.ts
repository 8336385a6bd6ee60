import type { Connector } from "../features/connectors/api";
import type { Run } from "../features/runs/api";

export function aRun(overrides: Partial<Run> = {}): Run {
  return {
    id: 1,
    connectorId: 1,
    trigger: "schedule",
    status: "succeeded",
    startedAt: new Date("2026-11-23T10:00:00Z"),
    finishedAt: new Date("2026-11-23T10:00:02Z"),
    rowsRead: 120000,
    rowsWritten: 120000,
    rowsFailed: 0,
    bytes: 53120000,
    durationMs: 2012,
    error: null,
    ...overrides,
  };
}

export function aConnector(overrides: Partial<Connector> = {}): Connector {
  return {
    id: 1,
    name: "visited_sites",
    source: { uri: "mongodb://user:***@mongo:27017/", database: "monitoring", collection: "visited_sites", filter: "", projection: "" },
    destination: { uri: "http://default:***@clickhouse:8123", database: "analytics", table: "visited_sites" },
    mode: "incremental_id",
    cursorField: "",
    intervalSeconds: 60,
    batchSize: null,
    mapping: { separator: "", maxDepth: null },
    table: { orderBy: "", partitionBy: "", ttl: "" },
    status: "active",
    running: false,
    lastSuccessAt: new Date("2026-11-23T10:00:02Z"),
    lastResult: aRun(),
    consecutiveFailures: 0,
    checkpoint: "_id > 656f0c",
    createdAt: new Date("2026-11-23T09:00:00Z"),
    updatedAt: new Date("2026-11-23T09:00:00Z"),
    ...overrides,
  };
}
