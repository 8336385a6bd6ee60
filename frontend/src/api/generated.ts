/* Hand-written stand-in with the shape of NSwag's TypeScript "Fetch" client, used until the
   service commits backend/Zenith.Service/openapi.json; `npm run generate:api` replaces it. */

export interface SourceSpec {
  uri: string;
  database: string;
  collection: string;
  filter?: string | null;
  projection?: string | null;
}

export interface DestinationSpec {
  uri: string;
  database: string;
  table: string;
}

export interface MappingOptions {
  separator?: string | null;
  maxDepth?: number | null;
}

export interface TableOptions {
  orderBy?: string | null;
  partitionBy?: string | null;
  ttl?: string | null;
}

export interface ConnectorRequest {
  name: string;
  source: SourceSpec;
  destination: DestinationSpec;
  mode: string;
  cursorField?: string | null;
  intervalSeconds?: number | null;
  batchSize?: number | null;
  mapping?: MappingOptions | null;
  table?: TableOptions | null;
}

export interface RunResponse {
  id: number;
  connectorId: number;
  trigger: string;
  status: string;
  startedAt: string;
  finishedAt?: string | null;
  rowsRead: number;
  rowsWritten: number;
  rowsFailed: number;
  batches: number;
  bytes: number;
  durationMs?: number | null;
  error?: string | null;
}

export interface ConnectorResponse extends ConnectorRequest {
  id: number;
  intervalSeconds: number;
  status: string;
  running: boolean;
  lastRun?: string | null;
  lastResult?: RunResponse | null;
  consecutiveFailures: number;
  checkpoint?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointCheck {
  ok: boolean;
  message: string;
}

export interface ConnectionTestResponse {
  source: EndpointCheck;
  destination: EndpointCheck;
}

export interface PreviewColumn {
  name: string;
  type: string;
  sourcePath: string;
}

export interface MappingPreviewResponse {
  columns: PreviewColumn[];
  sampled: number;
}

export interface LogEntryResponse {
  id: number;
  time: string;
  level: string;
  connectorId?: number | null;
  runId?: number | null;
  message: string;
}

type Fetcher = { fetch(url: RequestInfo, init?: RequestInit): Promise<Response> };

export class Client {
  private readonly baseUrl: string;
  private readonly http: Fetcher;

  constructor(baseUrl?: string, http?: Fetcher) {
    this.baseUrl = baseUrl ?? "";
    this.http = http ?? (window as unknown as Fetcher);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { ...init.headers, "Content-Type": "application/json" };
    }
    const response = await this.http.fetch(this.baseUrl + path, init);
    const text = await response.text();
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  listConnectors(): Promise<ConnectorResponse[]> { return this.call("GET", "/api/connectors"); }
  getConnector(id: number): Promise<ConnectorResponse> { return this.call("GET", `/api/connectors/${id}`); }
  createConnector(body: ConnectorRequest): Promise<ConnectorResponse> { return this.call("POST", "/api/connectors", body); }
  updateConnector(id: number, body: ConnectorRequest): Promise<ConnectorResponse> { return this.call("PUT", `/api/connectors/${id}`, body); }
  deleteConnector(id: number): Promise<void> { return this.call("DELETE", `/api/connectors/${id}`); }
  syncConnector(id: number): Promise<RunResponse> { return this.call("POST", `/api/connectors/${id}/sync`); }
  pauseConnector(id: number): Promise<ConnectorResponse> { return this.call("POST", `/api/connectors/${id}/pause`); }
  resumeConnector(id: number): Promise<ConnectorResponse> { return this.call("POST", `/api/connectors/${id}/resume`); }
  testConnector(id: number): Promise<ConnectionTestResponse> { return this.call("POST", `/api/connectors/${id}/test`); }
  testConnection(body: ConnectorRequest): Promise<ConnectionTestResponse> { return this.call("POST", "/api/connectors/test", body); }
  previewConnector(id: number): Promise<MappingPreviewResponse> { return this.call("GET", `/api/connectors/${id}/preview`); }
  listRuns(id: number, limit?: number): Promise<RunResponse[]> { return this.call("GET", `/api/connectors/${id}/runs?limit=${limit ?? 50}`); }
  listLogs(connectorId?: number, level?: string, limit?: number): Promise<LogEntryResponse[]> {
    const q = new URLSearchParams();
    if (connectorId !== undefined) q.set("connectorId", String(connectorId));
    if (level !== undefined) q.set("level", level);
    q.set("limit", String(limit ?? 200));
    return this.call("GET", `/api/logs?${q.toString()}`);
  }
}
