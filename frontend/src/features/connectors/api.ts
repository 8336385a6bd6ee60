import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type {
  ConnectionTestResponse,
  FieldAction,
  LegacyUuid,
  ConnectorRequest,
  ConnectorResponse,
  ConnectorStatus,
  HistoryLostPolicy,
  PreviewResponse,
  SchemaResponse,
  SyncMode,
  SyncWarningKind,
  WarningDto,
} from "../../api/generated";
import { type Message, toMessage } from "../../lib/message";
import { pollIntervalMs, pollUntilGone } from "../../lib/polling";
import { withPassword } from "../../lib/uri";
import { logKeys } from "../logs/api";
import { type Run, runKeys, toRun } from "../runs/api";

export type { ConnectorStatus, FieldAction, HistoryLostPolicy, LegacyUuid, SyncMode };
export const legacyUuids: readonly { value: LegacyUuid; label: string }[] = [
  { value: "none", label: "None: base64 text" },
  { value: "c_sharp", label: "C# legacy" },
  { value: "java", label: "Java legacy" },
  { value: "python", label: "Python legacy" },
];
export const fieldActions: readonly { value: FieldAction; label: string; needsValue?: string }[] = [
  { value: "exclude", label: "Exclude" },
  { value: "include", label: "Include only" },
  { value: "json", label: "Keep as JSON" },
  { value: "map", label: "Treat as map" },
  { value: "flatten", label: "Flatten (never a map)" },
  { value: "type", label: "Force type", needsValue: "Type: String, Int64, Float64, Bool, DateTime64, UUID, JSON" },
  { value: "rename", label: "Rename column", needsValue: "Column name" },
];

export interface FieldRuleDraft {
  path: string;
  action: FieldAction;
  value: string;
}
export const syncModes: readonly { value: SyncMode; label: string }[] = [
  { value: "incremental_id", label: "Incremental by _id" },
  { value: "incremental_timestamp", label: "Incremental by timestamp" },
  { value: "full", label: "Full reload" },
  { value: "change_stream", label: "Live (change stream)" },
];

export const historyLostPolicies: readonly { value: HistoryLostPolicy; label: string }[] = [
  { value: "resync", label: "Resync (reload atomically, then stream)" },
  { value: "error", label: "Stop with an error" },
];

/** A change-stream connector's live state: how far behind it is and whether it has caught up (null while it does not stream). */
export interface StreamLag {
  seconds: number;
  caughtUp: boolean;
}

export interface Connector {
  id: number;
  name: string;
  source: { uri: string; database: string; collection: string; filter: string; projection: string };
  destination: { uri: string; database: string; table: string };
  mode: SyncMode;
  cursorField: string;
  intervalSeconds: number;
  batchSize: number | null;
  /** Seconds between automatic verifications; null: only on request. */
  verifyIntervalSeconds: number | null;
  mapping: { separator: string; maxDepth: number | null; maxColumns: number | null; wholeDocument: boolean; legacyUuid: LegacyUuid; rules: FieldRuleDraft[] };
  table: { orderBy: string; partitionBy: string; ttl: string };
  status: ConnectorStatus;
  running: boolean;
  lastSuccessAt: Date | null;
  lastResult: Run | null;
  consecutiveFailures: number;
  checkpoint: string | null;
  /** Its saved passwords cannot be decrypted (a database restored without its keys): enter them again. */
  credentialsUnreadable: boolean;
  /** Its run passed the run deadline and has not stopped yet. */
  stuck: boolean;
  settleSeconds: number;
  onHistoryLost: HistoryLostPolicy;
  lag: StreamLag | null;
  warnings: Warning[];
  /** The ClickHouse table as last measured; null until it is. */
  statistics: TableStatistics | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Something the user should fix (a missing index, far-future cursor values…), and how. */
export interface Warning {
  kind: SyncWarningKind;
  message: Message;
}

/** A saved connector and what its save did to the checkpoint (an edit of what it means resets it). */
export interface Saved {
  connector: Connector;
  notice: string | null;
}

export interface TableStatistics {
  /** Rows in ClickHouse, versions collapsed; null when there is no table yet or it could not be read. */
  rows: number | null;
  /** When the newest change the table holds happened in the source: its freshness. */
  newestChange: Date | null;
  error: Message | null;
}

/** What the create/edit form edits: every field a string so inputs stay controlled. */
export interface ConnectorDraft {
  name: string;
  source: { uri: string; password: string; database: string; collection: string; filter: string; projection: string };
  destination: { uri: string; password: string; database: string; table: string };
  mode: SyncMode;
  cursorField: string;
  intervalSeconds: string;
  batchSize: string;
  settleSeconds: string;
  onHistoryLost: HistoryLostPolicy;
  verifyIntervalSeconds: string;
  mapping: { separator: string; maxDepth: string; maxColumns: string; wholeDocument: boolean; legacyUuid: LegacyUuid; rules: FieldRuleDraft[] };
  table: { orderBy: string; partitionBy: string; ttl: string };
}

const toWarnings = (wire: WarningDto[]): Warning[] => wire.map((w) => ({ kind: w.kind, message: toMessage(w.message) }));

export function toConnector(wire: ConnectorResponse): Connector {
  return {
    id: wire.id,
    name: wire.name,
    source: {
      uri: wire.source.uri,
      database: wire.source.database,
      collection: wire.source.collection,
      filter: wire.source.filter ?? "",
      projection: wire.source.projection ?? "",
    },
    destination: { uri: wire.destination.uri, database: wire.destination.database, table: wire.destination.table },
    mode: wire.mode,
    cursorField: wire.cursorField,
    intervalSeconds: wire.intervalSeconds,
    batchSize: wire.batchSize ?? null,
    verifyIntervalSeconds: wire.verifyIntervalSeconds ?? null,
    mapping: {
      separator: wire.mapping.separator ?? "",
      maxDepth: wire.mapping.maxDepth ?? null,
      maxColumns: wire.mapping.maxColumns ?? null,
      wholeDocument: wire.mapping.wholeDocument ?? false,
      legacyUuid: wire.mapping.legacyUuid ?? "none",
      rules: (wire.mapping.rules ?? []).map((r) => ({ path: r.path, action: r.action, value: r.value ?? "" })),
    },
    table: { orderBy: wire.table.orderBy ?? "", partitionBy: wire.table.partitionBy ?? "", ttl: wire.table.ttl ?? "" },
    status: wire.status,
    running: wire.running,
    lastSuccessAt: wire.lastRun ? new Date(wire.lastRun) : null,
    lastResult: wire.lastResult ? toRun(wire.lastResult) : null,
    consecutiveFailures: wire.consecutiveFailures,
    checkpoint: wire.checkpoint ?? null,
    credentialsUnreadable: wire.credentialsUnreadable,
    stuck: wire.stuck,
    settleSeconds: wire.settleSeconds,
    onHistoryLost: wire.onHistoryLost,
    lag: wire.lagSeconds === null ? null : { seconds: wire.lagSeconds, caughtUp: wire.caughtUp === true },
    warnings: toWarnings(wire.warnings),
    statistics: wire.statistics
      ? {
          rows: wire.statistics.rows ?? null,
          newestChange: wire.statistics.newestChange ? new Date(wire.statistics.newestChange) : null,
          error: wire.statistics.error ? toMessage(wire.statistics.error) : null,
        }
      : null,
    createdAt: new Date(wire.createdAt),
    updatedAt: new Date(wire.updatedAt),
  };
}

export const emptyDraft: ConnectorDraft = {
  name: "",
  source: { uri: "mongodb://127.0.0.1:27017/", password: "", database: "", collection: "", filter: "", projection: "" },
  destination: { uri: "http://127.0.0.1:8123", password: "", database: "default", table: "" },
  mode: "incremental_id",
  cursorField: "updated_at",
  intervalSeconds: "60",
  batchSize: "",
  settleSeconds: "",
  onHistoryLost: "resync",
  verifyIntervalSeconds: "",
  mapping: { separator: "", maxDepth: "", maxColumns: "", wholeDocument: false, legacyUuid: "none", rules: [] },
  table: { orderBy: "", partitionBy: "", ttl: "" },
};

export function toDraft(connector: Connector): ConnectorDraft {
  return {
    name: connector.name,
    // The API sends passwords masked; the password fields stay blank to keep the stored ones.
    source: { ...connector.source, password: "" },
    destination: { ...connector.destination, password: "" },
    mode: connector.mode,
    cursorField: connector.cursorField,
    intervalSeconds: String(connector.intervalSeconds),
    batchSize: connector.batchSize === null ? "" : String(connector.batchSize),
    settleSeconds: String(connector.settleSeconds),
    onHistoryLost: connector.onHistoryLost,
    verifyIntervalSeconds: connector.verifyIntervalSeconds === null ? "" : String(connector.verifyIntervalSeconds),
    mapping: {
      separator: connector.mapping.separator,
      maxDepth: connector.mapping.maxDepth === null ? "" : String(connector.mapping.maxDepth),
      // The default budget comes back from the API; the field stays blank for it.
      maxColumns: connector.mapping.maxColumns === null || connector.mapping.maxColumns === 500 ? "" : String(connector.mapping.maxColumns),
      wholeDocument: connector.mapping.wholeDocument,
      legacyUuid: connector.mapping.legacyUuid,
      rules: connector.mapping.rules.map((r) => ({ ...r })),
    },
    table: { ...connector.table },
  };
}

const blankToNull = (value: string): string | null => (value.trim() === "" ? null : value.trim());
/* Numbers the user typed go to the API as typed (NaN becomes null only when blank), so the API's
   own validation answers with the message for the field rather than the form guessing. */
const toNumber = (value: string): number | null => (value.trim() === "" ? null : Number(value));

export function toRequest(draft: ConnectorDraft): ConnectorRequest {
  const mapping = {
    separator: blankToNull(draft.mapping.separator),
    maxDepth: toNumber(draft.mapping.maxDepth),
    maxColumns: toNumber(draft.mapping.maxColumns),
    wholeDocument: draft.mapping.wholeDocument ? true : null,
    legacyUuid: draft.mapping.legacyUuid === "none" ? undefined : draft.mapping.legacyUuid,
    rules: draft.mapping.rules.length === 0 ? null : draft.mapping.rules.map((r) => ({ path: r.path.trim(), action: r.action, value: blankToNull(r.value) })),
  };
  const table = { orderBy: blankToNull(draft.table.orderBy), partitionBy: blankToNull(draft.table.partitionBy), ttl: blankToNull(draft.table.ttl) };
  return {
    name: draft.name.trim(),
    source: {
      uri: withPassword(draft.source.uri.trim(), draft.source.password),
      database: draft.source.database.trim(),
      collection: draft.source.collection.trim(),
      filter: blankToNull(draft.source.filter),
      projection: blankToNull(draft.source.projection),
    },
    destination: {
      uri: withPassword(draft.destination.uri.trim(), draft.destination.password, "default"),
      database: draft.destination.database.trim(), table: draft.destination.table.trim() },
    mode: draft.mode,
    cursorField: draft.mode === "incremental_timestamp" ? blankToNull(draft.cursorField) : null,
    intervalSeconds: toNumber(draft.intervalSeconds),
    batchSize: toNumber(draft.batchSize),
    settleSeconds: toNumber(draft.settleSeconds),
    onHistoryLost: draft.mode === "change_stream" ? draft.onHistoryLost : null,
    verifyIntervalSeconds: toNumber(draft.verifyIntervalSeconds),
    mapping: Object.values(mapping).every((v) => v === null || v === undefined) ? null : mapping,
    table: Object.values(table).every((v) => v === null) ? null : table,
  };
}

/** The two ends and the mode, for a connection test before saving (it also says which index the mode needs). */
function endsOf(draft: ConnectorDraft) {
  const { source, destination, mode, cursorField } = toRequest(draft);
  return { source, destination, mode, cursorField };
}

/** A connector id from the address bar, or null when it cannot be one. */
export function connectorIdFrom(param: string | undefined): number | null {
  if (param === undefined || !/^[1-9]\d{0,15}$/.test(param)) return null;
  return Number(param);
}

export const connectorKeys = {
  all: ["connectors"] as const,
  list: () => ["connectors", "list"] as const,
  detail: (id: number) => ["connectors", "detail", id] as const,
  preview: (id: number) => ["connectors", "preview", id] as const,
  schema: (id: number) => ["connectors", "schema", id] as const,
};

export function useConnectors() {
  return useQuery({
    queryKey: connectorKeys.list(),
    queryFn: async () => (await api.listConnectors()).map(toConnector),
    refetchInterval: pollIntervalMs,
  });
}

export function useConnector(id: number, options: { live?: boolean } = {}) {
  return useQuery({
    queryKey: connectorKeys.detail(id),
    queryFn: async () => toConnector(await api.getConnector(id)),
    refetchInterval: options.live === false ? false : pollUntilGone,
  });
}

/** After any change the lists, the connector, its runs and its logs are stale. */
function useInvalidateAll() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: connectorKeys.all }),
      queryClient.invalidateQueries({ queryKey: runKeys.all }),
      queryClient.invalidateQueries({ queryKey: logKeys.all }),
    ]);
}

/** Creates (paused when asked: nothing runs until it is resumed) or replaces a connector. */
export function useSaveConnector(id: number | null) {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: async ({ draft, paused = false }: { draft: ConnectorDraft; paused?: boolean }): Promise<Saved> => {
      const wire = id === null ? await api.createConnector({ ...toRequest(draft), paused }) : await api.updateConnector(id, toRequest(draft));
      return { connector: toConnector(wire), notice: wire.checkpointReset === true ? (wire.message ?? null) : null };
    },
    onSuccess: invalidate,
  });
}

export type ConnectorAction = "sync" | "pause" | "resume" | "delete" | "reset" | "resync";

export function useConnectorAction() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: async ({ id, action }: { id: number; action: ConnectorAction }): Promise<void> => {
      switch (action) {
        case "sync":
          await api.syncConnector(id);
          return;
        case "pause":
          await api.pauseConnector(id);
          return;
        case "resume":
          await api.resumeConnector(id);
          return;
        case "delete":
          await api.deleteConnector(id);
          return;
        case "reset":
          await api.resetConnector(id);
          return;
        case "resync":
          await api.resyncConnector(id);
          return;
      }
    },
    // Not awaited: the caller's own callbacks (a message, leaving a deleted connector's page) run at once.
    onSettled: () => {
      void invalidate();
    },
  });
}

export interface EndpointResult {
  ok: boolean;
  message: Message;
}
export interface ConnectionTest {
  source: EndpointResult;
  destination: EndpointResult;
  warnings: Warning[];
}
const toConnectionTest = (wire: ConnectionTestResponse): ConnectionTest => ({
  source: { ok: wire.source.ok, message: toMessage(wire.source.message, wire.source.detail ?? null) },
  destination: { ok: wire.destination.ok, message: toMessage(wire.destination.message, wire.destination.detail ?? null) },
  warnings: toWarnings(wire.warnings),
});

/** Tests the saved connector when given its id and nothing changed, else the draft as typed. */
export function useTestConnection() {
  return useMutation({
    mutationFn: async ({ id, draft }: { id: number | null; draft: ConnectorDraft | null }) =>
      toConnectionTest(
        draft === null && id !== null
          ? await api.testConnector(id)
          : // An edited connector's URIs still hold the masked password: the service fills it from the saved one.
            await api.testConnection({ ...endsOf(draft ?? emptyDraft), connectorId: id }),
      ),
  });
}

export interface MappingPreview {
  columns: { name: string; type: string; sourcePath: string; kind: string; reason: string | null }[];
  sampled: number;
  warnings: string[];
}
const toPreview = (wire: PreviewResponse): MappingPreview => ({
  columns: wire.columns.map((c) => ({ name: c.name, type: c.type, sourcePath: c.sourcePath, kind: c.kind, reason: c.reason ?? null })),
  sampled: wire.sampled,
  warnings: wire.warnings,
});

export interface TableSchema {
  /** False before the first run creates the table. */
  exists: boolean;
  columns: { name: string; type: string; sourcePath: string }[];
}
const toSchema = (wire: SchemaResponse): TableSchema => ({
  exists: wire.exists,
  columns: wire.columns.map((c) => ({ name: c.name, type: c.type, sourcePath: c.sourcePath })),
});

/** The ClickHouse table as it is now; read when the schema tab opens, again on demand. */
export function useTableSchema(id: number) {
  return useQuery({
    queryKey: connectorKeys.schema(id),
    queryFn: async () => toSchema(await api.getConnectorSchema(id)),
    retry: false,
  });
}

/** Previews the saved connector when given its id and nothing changed, else the draft as typed (rules included). */
export function usePreviewMapping() {
  return useMutation({
    mutationFn: async ({ id, draft }: { id: number | null; draft: ConnectorDraft | null }) =>
      toPreview(
        draft === null && id !== null
          ? await api.previewConnector(id)
          : await api.previewConnection({ connector: toRequest(draft ?? emptyDraft), connectorId: id }),
      ),
  });
}
