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
    rowsPerSecond: 120000 / 2.012,
    estimatedRows: null,
    progress: null,
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
    verifyIntervalSeconds: null,
    mapping: { separator: "", maxDepth: null, maxColumns: null, wholeDocument: false, legacyUuid: "none", rules: [] },
    table: { orderBy: "", partitionBy: "", ttl: "" },
    status: "active",
    running: false,
    lastSuccessAt: new Date("2026-11-23T10:00:02Z"),
    lastResult: aRun(),
    consecutiveFailures: 0,
    checkpoint: "_id > 656f0c",
    settleSeconds: 5,
    onHistoryLost: "resync",
    lag: null,
    credentialsUnreadable: false,
    stuck: false,
    warnings: [],
    statistics: null,
    createdAt: new Date("2026-11-23T09:00:00Z"),
    updatedAt: new Date("2026-11-23T09:00:00Z"),
    ...overrides,
  };
}

/* What the service says when a MongoDB host name is mistyped: one short line, and the driver's
   whole server selection state, ~2,000 characters over several lines, as the run's errorDetail
   (as seen from Zenith with MongoDB.Driver 3). */
export const mistypedHostLine = "MongoDB host mongo-typo.invalid not found (DNS lookup failed)";

export const mistypedHostError = [
  "MongoDB at mongo-typo.invalid:27017 is unreachable: A timeout occurred after 9998ms selecting a server using CompositeServerSelector{ Selectors = ReadPreferenceServerSelector{ ReadPreference = { Mode : Primary } }, LatencyLimitingServerSelector{ AllowedLatencyRange = 00:00:00.0150000 }, OperationsCountServerSelector }. Client view of cluster state is { ClusterId : \"1\", Type : \"Unknown\", State : \"Disconnected\", Servers : [{ ServerId: \"{ ClusterId : 1, EndPoint : \"Unspecified/mongo-typo.invalid:27017\" }\", EndPoint: \"Unspecified/mongo-typo.invalid:27017\", ReasonChanged: \"Heartbeat\", State: \"Disconnected\", ServerVersion: , TopologyVersion: , Type: \"Unknown\", HeartbeatException: \"MongoDB.Driver.MongoConnectionException: An exception occurred while opening a connection to the server.",
  " ---> System.Net.Sockets.SocketException (00000005, 0xFFFDFFFF): Name or service not known",
  "   at System.Net.Dns.GetHostEntryOrAddressesCore(String hostName, Boolean justAddresses, AddressFamily addressFamily, Nullable`1 activityOrDefault)",
  "   at System.Net.Dns.GetHostAddresses(String hostNameOrAddress, AddressFamily family)",
  "   at MongoDB.Driver.Core.Connections.TcpStreamFactory.ResolveEndPoints(EndPoint initial)",
  "   at MongoDB.Driver.Core.Connections.TcpStreamFactory.CreateStream(EndPoint endPoint, CancellationToken cancellationToken)",
  "   at MongoDB.Driver.Core.Connections.BinaryConnection.OpenHelper(OperationContext operationContext)",
  "   --- End of inner exception stack trace ---",
  "   at MongoDB.Driver.Core.Connections.BinaryConnection.OpenHelper(OperationContext operationContext)",
  "   at MongoDB.Driver.Core.Connections.BinaryConnection.Open(OperationContext operationContext)",
  "   at MongoDB.Driver.Core.Servers.ServerMonitor.InitializeConnection(OperationContext operationContext)",
  "   at MongoDB.Driver.Core.Servers.ServerMonitor.Heartbeat(CancellationToken cancellationToken)\", LastHeartbeatTimestamp: \"2026-12-01T21:15:04.2493407Z\", LastUpdateTimestamp: \"2026-12-01T21:15:04.2493457Z\" }] }.",
].join("\n");
