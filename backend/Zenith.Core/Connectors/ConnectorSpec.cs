namespace Zenith.Core.Connectors;

/// <summary>How a connector decides which documents a run copies.</summary>
public enum SyncMode
{
    /// <summary>Documents whose <c>_id</c> is greater than the checkpoint (append-only collections).</summary>
    IncrementalId,

    /// <summary>Documents whose (cursor field, <c>_id</c>) pair is greater than the checkpoint.</summary>
    IncrementalTimestamp,

    /// <summary>Every run rewrites the whole table through a staging table and <c>EXCHANGE TABLES</c>.</summary>
    Full,

    /// <summary>
    /// Live: the change stream's start position, then the collection copied (resumable), then the stream applied from that position
    /// in micro-batches, continuously; deletes are tombstones of a <c>ReplacingMergeTree(version, is_deleted)</c> table.
    /// </summary>
    ChangeStream,
}

/// <summary>What a change-stream connector does when its resume position is no longer in the oplog (MongoDB's code 286).</summary>
public enum HistoryLostPolicy
{
    /// <summary>Take a new start position, reload the collection into a staging table, swap it in, stream from the position.</summary>
    Resync,

    /// <summary>Stop with an error and change nothing: the user decides.</summary>
    Error,
}

/// <summary>The MongoDB side of a connector.</summary>
/// <param name="Uri">A <c>mongodb://</c> or <c>mongodb+srv://</c> connection string (may hold a password).</param>
/// <param name="Filter">Optional MongoDB extended JSON filter, applied on top of the cursor condition.</param>
/// <param name="Projection">Optional MongoDB extended JSON projection; <c>_id</c> and the cursor field are always kept.</param>
public sealed record SourceSpec(string Uri, string Database, string Collection, string? Filter = null, string? Projection = null)
{
    /// <summary>Never the URI as it is: it holds the password, one log line away from a leak.</summary>
    public override string ToString() =>
        $"SourceSpec {{ Uri = {Connections.ConnectionString.Parse(Uri).Masked}, Database = {Database}, Collection = {Collection}, Filter = {Filter}, Projection = {Projection} }}";
}

/// <summary>The ClickHouse side of a connector.</summary>
/// <param name="Uri">The ClickHouse HTTP interface, <c>http(s)://[user[:password]@]host:port</c>.</param>
public sealed record DestinationSpec(string Uri, string Database, string Table)
{
    /// <summary>Never the URI as it is: it holds the password.</summary>
    public override string ToString() => $"DestinationSpec {{ Uri = {Connections.ConnectionString.Parse(Uri).Masked}, Database = {Database}, Table = {Table} }}";
}

/// <summary>How nested documents become columns.</summary>
/// <param name="Separator">Joins path segments: <c>address.city</c> becomes <c>address_city</c>.</param>
/// <param name="MaxDepth">Nesting levels flattened into columns; anything deeper is kept as one JSON column.</param>
public sealed record MappingOptions(string Separator = "_", int MaxDepth = 3)
{
    public const int DefaultMaxColumns = 500;

    public static MappingOptions Default { get; } = new();

    /// <summary>Most columns of the table, <c>_id</c> and the metadata columns included; fields beyond it go to <c>_zenith_extra</c>. Default 500.</summary>
    public int MaxColumns { get; init; } = DefaultMaxColumns;

    /// <summary>Also keep each whole document in one JSON column, <c>_zenith_doc</c>, beside the typed ones. Default off.</summary>
    public bool WholeDocument { get; init; }

    /// <summary>The byte order of binary subtype 3 (legacy) UUIDs, to store them as <c>UUID</c>; default none (base64 text).</summary>
    public LegacyUuid LegacyUuid { get; init; }

    /// <summary>The connector's field rules, in the order given (see <see cref="FieldRule"/>).</summary>
    public IReadOnlyList<FieldRule> Rules { get; init; } = [];
}

/// <summary>
/// Optional ClickHouse table clauses; null means Zenith's default (no partition, no TTL). The sorting key always ends with the
/// document's identity (<c>_zenith_id_type</c>, <c>_id</c>): <see cref="OrderBy"/> is its prefix, so distinct documents never merge.
/// </summary>
public sealed record TableOptions(string? OrderBy = null, string? PartitionBy = null, string? Ttl = null)
{
    public static TableOptions Default { get; } = new();
}

/// <summary>Everything the sync engine needs to run one connector. Stored by the service, run by the engine.</summary>
/// <param name="SettleSeconds">
/// The incremental modes' settle window: how long a key may take to become visible after a later one (many writers, clocks that
/// differ, retried inserts). The checkpoint moves only through keys that old; what follows is copied and read again next run.
/// </param>
/// <param name="OnHistoryLost">change_stream: what to do when the stored position fell off the oplog.</param>
public sealed record ConnectorSpec(
    long Id,
    string Name,
    SourceSpec Source,
    DestinationSpec Destination,
    SyncMode Mode,
    string CursorField,
    int BatchSize,
    MappingOptions Mapping,
    TableOptions Table,
    int SettleSeconds = ConnectorSpec.DefaultSettleSeconds,
    HistoryLostPolicy OnHistoryLost = HistoryLostPolicy.Resync)
{
    public const string DefaultCursorField = "updated_at";
    public const int DefaultBatchSize = 1000;
    public const int DefaultSettleSeconds = 5;
}
