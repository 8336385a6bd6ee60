using Microsoft.Extensions.Logging;
using Zenith.Core.Connections;
using Zenith.Core.Retries;

namespace Zenith.Sync;

/// <summary>How the engine talks to both ends. Every default is the one written here.</summary>
public sealed class SyncEngineOptions
{
    /// <summary>
    /// Connecting to MongoDB (server selection, opening a connection; a shorter value in the URI wins) and a connection test of
    /// either end (which gets twice this in all); default 10 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connecting for a connection test or a preview, which a person waits for: MongoDB's server selection and connect, and the
    /// whole ClickHouse check; default 5 s. A mistyped host says so in this time. <c>serverSelectionTimeoutMS</c> and
    /// <c>connectTimeoutMS</c> in a MongoDB URI win over it (and over <see cref="ConnectTimeout"/>).
    /// </summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// One network call: a ClickHouse statement or insert, a MongoDB reply (the socket timeout; a shorter one in the URI wins), a
    /// sample. Default 5 min. A stuck query or a half-open connection fails after this instead of holding a slot for ever.
    /// </summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The server-side bound of a run's MongoDB query (<c>maxTimeMS</c>, which MongoDB counts over the cursor's whole life): the
    /// run deadline the service enforces (<c>timeouts.run_seconds</c>); default 6 h.
    /// </summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Retries of transient ClickHouse errors per batch and DDL statement; default 6 attempts, 200 ms doubling to 10 s, full jitter.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>
    /// How far past a run's start a cursor time (a date, an ObjectId's second, a BSON timestamp) may be before it counts as far in
    /// the future: such documents are copied and reported, but never move the checkpoint; default 1 day.
    /// </summary>
    public TimeSpan FutureTolerance { get; init; } = Core.Cursors.SettleWindow.DefaultFutureTolerance;

    /// <summary>Documents sampled (<c>$sample</c>, at random) to create a table, and by default for a preview; default 5000.</summary>
    public int SampleSize { get; init; } = 5000;

    /// <summary>Most BSON bytes a sample holds (fewer documents are sampled when they are large); default 64 MiB.</summary>
    public long SampleBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Most BSON bytes one batch holds (<c>processing.max_batch_bytes</c>): a batch is cut at the connector's batch size or before
    /// it would pass this, whichever comes first, so documents of megabytes (pages, screenshots) cannot make a batch of gigabytes;
    /// a batch always takes at least one document. Default 16 MiB.
    /// </summary>
    public long MaxBatchBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>
    /// A document larger than this (BSON bytes, <c>processing.max_document_bytes</c>) is not written: counted as failed and reported
    /// with its <c>_id</c>, and the run goes on (its position still moves past it). Default 16 MiB, MongoDB's own limit.
    /// </summary>
    public int MaxDocumentBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Parallel transform workers; default the processor count.</summary>
    public int TransformParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Most rows one INSERT carries; default 100,000 (ClickHouse advises 10,000–100,000 rows per insert). The connector's
    /// batch size stays the unit of reading, transforming and cancelling; consecutive batches are coalesced into one insert
    /// up to this many rows or <see cref="MaxInsertBytes"/>, and an insert goes out as soon as nothing more is queued, so a
    /// small run is never held back. The checkpoint advances when an insert is acknowledged, to its last batch.
    /// </summary>
    public int MaxInsertRows { get; init; } = 100_000;

    /// <summary>
    /// Most RowBinary bytes one INSERT carries (see <see cref="MaxInsertRows"/>); default 16 MiB. A single batch larger than
    /// this still goes as one insert. A run holds up to twice this in buffers (one insert being sent, the next one filling).
    /// </summary>
    public long MaxInsertBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>
    /// After a run that sent 16 MiB or more, one blocking, compacting, aggressive GC gives the run's buffers back to the OS,
    /// so an idle service shrinks to its resting size instead of keeping its peak (a pause of a few milliseconds to other
    /// runs going at the same time); default true.
    /// </summary>
    public bool ReleaseMemoryAfterRun { get; init; } = true;

    /// <summary>
    /// Gzip the insert bodies (streamed, fastest level): worth it over a slow link, a CPU cost on a local one; default false.
    /// Measured on loopback (2 cores, both servers on the machine): 29% slower for flat documents, 42% for nested ones.
    /// </summary>
    public bool CompressInserts { get; init; }

    /// <summary>
    /// change_stream: the longest an applied event waits in a micro-batch before it is flushed (a batch also goes when it reaches
    /// the connector's batch size, and as soon as the stream has nothing more to give); default 1 s.
    /// </summary>
    public TimeSpan ChangeStreamFlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// change_stream: how long a getMore waits for new events (the driver's maxAwaitTimeMS); it bounds how late a pause or a
    /// shutdown is noticed; default 500 ms.
    /// </summary>
    public TimeSpan ChangeStreamMaxAwait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// change_stream: while the collection is idle the stored resume token still moves to the stream's post-batch token (so a
    /// quiet collection never falls off the oplog), at most once per this interval; default 10 s.
    /// </summary>
    public TimeSpan ChangeStreamIdleCheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Clock for durations, versions and back-off; default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>HttpClient for ClickHouse (e.g. from IHttpClientFactory, with a proxy or custom TLS); default the driver's own. Never disposed by Zenith.</summary>
    public HttpClient? ClickHouseHttpClient { get; init; }

    /// <summary>The hosts a connection string may name (<c>network.allowed_hosts</c>); default any.</summary>
    public HostAllowList AllowedHosts { get; init; } = HostAllowList.Any;

    /// <summary>Optional logger factory; default none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
