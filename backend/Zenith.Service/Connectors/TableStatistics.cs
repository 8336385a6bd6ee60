using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Connectors;

/// <summary>What the destination table held when it was last measured; <see cref="Rows"/> null when there is no table (yet) or the read failed.</summary>
/// <param name="NewestChange">When the newest change the table holds happened in the source (its freshness), or null.</param>
/// <param name="Error">Why it could not be read, as one short line, or null.</param>
public sealed record TableStatisticsSnapshot(long? Rows, DateTimeOffset? NewestChange, DateTimeOffset MeasuredAt, string? Error);

/// <summary>
/// The destination tables' row counts (<c>count()</c> with <c>FINAL</c>) and freshness, cached per connector so that a dashboard
/// polling the list every few seconds does not count every table every time. A measurement is stale once a run finished after it,
/// every <see cref="RunningMaxAge"/> while a run goes, and after <see cref="IdleMaxAge"/> otherwise (the table may change under us).
/// A stale one is refreshed in the background, once at a time per connector; an answer waits for it at most <see cref="MaxWait"/>
/// (a table counted once more after a run is seen at once; an unreachable ClickHouse never holds the dashboard up for longer).
/// </summary>
public sealed class TableStatistics(ConnectorStore store, ISyncEngine engine, IOptions<ZenithOptions> options, TimeProvider time, ILogger<TableStatistics> logger) : IDisposable
{
    public static readonly TimeSpan RunningMaxAge = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan IdleMaxAge = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<long, Entry> entries = new();
    private readonly CancellationTokenSource stopping = new();
    private volatile bool disposed;

    /// <summary>
    /// The latest measurement of the connector's table (null before the first), starting a new one when it is stale and waiting
    /// for it at most <see cref="MaxWait"/>.
    /// </summary>
    public async Task<TableStatisticsSnapshot?> GetAsync(ConnectorView view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var entry = entries.GetOrAdd(view.Connector.Id, _ => new Entry());
        if (!disposed && IsStale(entry.Snapshot, view) && Interlocked.CompareExchange(ref entry.Refreshing, 1, 0) == 0)
        {
            var token = stopping.Token;
            entry.Refresh = Task.Run(() => RefreshAsync(entry, view, token), CancellationToken.None);
        }

        // A ClickHouse that failed last time is not waited for again: the dashboard's polls stay quick while it is away.
        if (entry.Refresh is { IsCompleted: false } refresh && entry.Snapshot?.Error is null)
        {
            try
            {
                await refresh.WaitAsync(MaxWait, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Still counting: the answer has the previous measurement, the next one the new.
            }
        }

        return entry.Snapshot;
    }

    /// <summary>Forgets a deleted connector's table.</summary>
    public void Forget(long connectorId) => entries.TryRemove(connectorId, out _);

    public void Dispose()
    {
        disposed = true;
        stopping.Cancel();
        stopping.Dispose();
    }

    private bool IsStale(TableStatisticsSnapshot? snapshot, ConnectorView view)
    {
        if (snapshot is null)
        {
            return true;
        }

        var age = time.GetUtcNow() - snapshot.MeasuredAt;
        return view.LastResult?.FinishedAt > snapshot.MeasuredAt || age > (view.Running ? RunningMaxAge : IdleMaxAge);
    }

    private async Task RefreshAsync(Entry entry, ConnectorView view, CancellationToken cancellationToken)
    {
        var measuredAt = time.GetUtcNow();
        try
        {
            // The count needs the destination's password: decrypted for it, like a run's.
            if (await store.UnsealAsync(view.Connector.Id, cancellationToken) is not { } connector)
            {
                return;
            }

            var table = await engine.DescribeTableAsync(connector.ToSpec(options.Value.Processing.BatchSize), withStatistics: true, cancellationToken);
            entry.Snapshot = new TableStatisticsSnapshot(table?.Rows, table?.NewestChange, measuredAt, null);
        }
        catch (CredentialsUnreadableException e)
        {
            entry.Snapshot = new TableStatisticsSnapshot(null, null, measuredAt, e.Message);
        }
        catch (SyncFailedException e)
        {
            entry.Snapshot = new TableStatisticsSnapshot(null, null, measuredAt, view.Connector.Definition.Redact(e.Message));
            if (e.Detail is { } detail)
            {
                logger.CheckFailureDetail("Counting the destination table", view.Connector.Definition.Name, view.Connector.Definition.Redact(detail));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The service stops.
        }
#pragma warning disable CA1031 // A count that cannot be made must never fail the answer it decorates: it says why instead.
        catch (Exception e)
#pragma warning restore CA1031
        {
            entry.Snapshot = new TableStatisticsSnapshot(null, null, measuredAt, "The table could not be read: " + view.Connector.Definition.Redact(e.Message).Split('\n', 2)[0].Trim());
        }
        finally
        {
            Volatile.Write(ref entry.Refreshing, 0);
        }
    }

    private sealed class Entry
    {
        public volatile TableStatisticsSnapshot? Snapshot;
        public volatile Task? Refresh;
        public int Refreshing;
    }
}
