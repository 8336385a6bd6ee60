using Dapper;
using Microsoft.Data.Sqlite;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Service.Domain;

namespace Zenith.Service.Metadata;

/// <summary>
/// Connectors in SQLite. Secrets go in encrypted (<see cref="ConnectionSecrets"/>); reading a connector decrypts nothing, and
/// <see cref="UnsealAsync"/> decrypts one connector's secrets when a run, a test or an edit needs them, so one unreadable
/// ciphertext (a database restored without its keys) only affects its own connector.
/// </summary>
public sealed class ConnectorStore(MetadataDatabase database, ConnectionSecrets secrets, TimeProvider time)
{
    private const int SqliteConstraint = 19;

    public async Task<IReadOnlyList<StoredConnector>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ConnectorRow>(new CommandDefinition("SELECT * FROM connectors ORDER BY id;", cancellationToken: cancellationToken));
        return rows.Select(ToModel).ToList();
    }

    /// <summary>Every connector's name, schedule and state; decrypts nothing.</summary>
    public async Task<IReadOnlyList<ConnectorSummary>> ListSummariesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SummaryRow>(new CommandDefinition($"SELECT {SummaryRow.Columns} FROM connectors ORDER BY id;", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToModel())];
    }

    /// <summary>One connector's name, schedule and state; decrypts nothing.</summary>
    public async Task<ConnectorSummary?> GetSummaryAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SummaryRow>(new CommandDefinition($"SELECT {SummaryRow.Columns} FROM connectors WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        return row?.ToModel();
    }

    public async Task<StoredConnector?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ConnectorRow>(new CommandDefinition("SELECT * FROM connectors WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        return row is null ? null : ToModel(row);
    }

    /// <summary>
    /// The connector with its secrets decrypted; null when there is none. When they cannot be decrypted the connector is marked
    /// (its summary says <see cref="ConnectorSummary.CredentialsUnreadable"/>, so it is no longer scheduled) and
    /// <see cref="CredentialsUnreadableException"/> says what to do; when they can again (the keys came back), the mark goes.
    /// </summary>
    public async Task<UnsealedConnector?> UnsealAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ConnectorRow>(new CommandDefinition("SELECT * FROM connectors WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var readable = TryUnseal(row, out var definition);
        if (readable == row.CredentialsUnreadable)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE connectors SET credentials_unreadable = @unreadable WHERE id = @id;", new { id, unreadable = !readable }, cancellationToken: cancellationToken));
            row.CredentialsUnreadable = !readable;
        }

        return readable ? new UnsealedConnector(ToModel(row), definition!) : throw new CredentialsUnreadableException(row.Name);
    }

    public async Task<StoredConnector?> FindByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ConnectorRow>(new CommandDefinition("SELECT * FROM connectors WHERE name = @name;", new { name }, cancellationToken: cancellationToken));
        return row is null ? null : ToModel(row);
    }

    public Task<StoredConnector> CreateAsync(ConnectorDefinition definition, CancellationToken cancellationToken) =>
        CreateAsync(definition, ConnectorStatus.Active, cancellationToken);

    /// <summary>Stores a new connector with <paramref name="status"/> (active, or paused to be reviewed before it runs).</summary>
    public async Task<StoredConnector> CreateAsync(ConnectorDefinition definition, ConnectorStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = ToRow(definition, existing: null);
        row.SyncStatus = DomainText.Text(status);
        row.CreatedAt = now;
        row.UpdatedAt = now;
        await using var connection = await database.OpenAsync(cancellationToken);
        try
        {
            // Immediate: the destination check and the insert see the same connectors, whichever process adds one meanwhile.
            await using var transaction = connection.BeginTransaction();
            await ConnectorClaims.EnsureFreeAsync(connection, transaction, null, definition, cancellationToken);
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO connectors (name, source_uri, source_secret, source_option_secrets, source_database, source_collection, source_filter, source_projection,
                    dest_uri, dest_secret, dest_option_secrets, dest_database, dest_table, sync_mode, cursor_field, interval_seconds, batch_size,
                    mapping_separator, mapping_max_depth, mapping_options, table_order_by, table_partition_by, table_ttl, sync_status, created_at, updated_at, settle_seconds,
                    verify_interval_seconds, on_history_lost)
                VALUES (@Name, @SourceUri, @SourceSecret, @SourceOptionSecrets, @SourceDatabase, @SourceCollection, @SourceFilter, @SourceProjection,
                    @DestUri, @DestSecret, @DestOptionSecrets, @DestDatabase, @DestTable, @SyncMode, @CursorField, @IntervalSeconds, @BatchSize,
                    @MappingSeparator, @MappingMaxDepth, @MappingOptions, @TableOrderBy, @TablePartitionBy, @TableTtl, @SyncStatus, @CreatedAt, @UpdatedAt, @SettleSeconds,
                    @VerifyIntervalSeconds, @OnHistoryLost)
                RETURNING id;
                """,
                row, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return (await GetAsync(id, cancellationToken))!;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
        {
            throw new DuplicateConnectorNameException(definition.Name);
        }
    }

    /// <summary>
    /// Replaces the definition. A URI with masked secrets (<c>***</c>) or no password keeps the stored ones while it names the same
    /// endpoint (<see cref="ConnectionString.ReuseStoredPassword"/>); a masked one for another endpoint, or when the stored ones
    /// cannot be decrypted, throws <see cref="PasswordRequiredException"/> and nothing changes. Everything stored afterwards is
    /// readable, so the unreadable mark goes.
    /// </summary>
    public async Task<StoredConnector?> UpdateAsync(long id, ConnectorDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        await using var connection = await database.OpenAsync(cancellationToken);
        var existing = await connection.QuerySingleOrDefaultAsync<ConnectorRow>(new CommandDefinition("SELECT * FROM connectors WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        if (existing is null)
        {
            return null;
        }

        var row = ToRow(definition, existing);
        row.Id = id;
        row.UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            await using var transaction = connection.BeginTransaction();
            await ConnectorClaims.EnsureFreeAsync(connection, transaction, id, definition, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE connectors SET name = @Name, source_uri = @SourceUri, source_secret = @SourceSecret, source_option_secrets = @SourceOptionSecrets,
                    source_database = @SourceDatabase, source_collection = @SourceCollection, source_filter = @SourceFilter, source_projection = @SourceProjection,
                    dest_uri = @DestUri, dest_secret = @DestSecret, dest_option_secrets = @DestOptionSecrets, dest_database = @DestDatabase, dest_table = @DestTable,
                    sync_mode = @SyncMode, cursor_field = @CursorField, interval_seconds = @IntervalSeconds, batch_size = @BatchSize,
                    mapping_separator = @MappingSeparator, mapping_max_depth = @MappingMaxDepth, mapping_options = @MappingOptions, table_order_by = @TableOrderBy,
                    table_partition_by = @TablePartitionBy, table_ttl = @TableTtl, credentials_unreadable = 0, updated_at = @UpdatedAt, settle_seconds = @SettleSeconds,
                    verify_interval_seconds = @VerifyIntervalSeconds, on_history_lost = @OnHistoryLost
                WHERE id = @Id;
                """,
                row, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
        {
            throw new DuplicateConnectorNameException(definition.Name);
        }

        return await GetAsync(id, cancellationToken);
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM logs WHERE connector_id = @id;", new { id }, cancellationToken: cancellationToken));
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM connectors WHERE id = @id;", new { id }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Records that a run was attempted (one that could not start: another process held the connector).</summary>
    public async Task RecordAttemptAsync(long id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE connectors SET last_attempt_at = @at WHERE id = @id;", new { id, at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    /// <summary>Sets the status; <paramref name="resetFailures"/> clears the consecutive failure count (resume).</summary>
    public async Task SetStatusAsync(long id, ConnectorStatus status, bool resetFailures, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE connectors SET sync_status = @status, consecutive_failures = CASE WHEN @reset THEN 0 ELSE consecutive_failures END, updated_at = @now WHERE id = @id;",
            new { id, status = DomainText.Text(status), reset = resetFailures, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Records a finished run's effect on the connector (decided by the schedule policy from <paramref name="seen"/>).
    /// The status and count change only if they are still what the policy saw: a pause or resume that landed
    /// meanwhile is the user's newer decision and stays.
    /// </summary>
    public async Task RecordRunAsync(long id, ConnectorSummary seen, ConnectorStatus status, int consecutiveFailures, DateTimeOffset finishedAt, bool succeeded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seen);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE connectors SET
                sync_status = CASE WHEN sync_status = @seenStatus AND consecutive_failures = @seenFailures THEN @status ELSE sync_status END,
                consecutive_failures = CASE WHEN sync_status = @seenStatus AND consecutive_failures = @seenFailures THEN @consecutiveFailures ELSE consecutive_failures END,
                last_attempt_at = @finished,
                last_run = CASE WHEN @succeeded THEN @finished ELSE last_run END
            WHERE id = @id;
            """,
            new
            {
                id,
                seenStatus = DomainText.Text(seen.Status),
                seenFailures = seen.ConsecutiveFailures,
                status = DomainText.Text(status),
                consecutiveFailures,
                finished = finishedAt.ToUnixTimeMilliseconds(),
                succeeded,
            }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Stores what the user should fix: all of it (<paramref name="kinds"/> null, after a successful run), or only the warnings of
    /// <paramref name="kinds"/> (an index check on create or test), keeping the others.
    /// </summary>
    public async Task ReplaceWarningsAsync(long id, IReadOnlyList<SyncWarning> warnings, IReadOnlyCollection<SyncWarningKind>? kinds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        var current = StoredWarnings.Read(await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT warnings FROM connectors WHERE id = @id;", new { id }, transaction, cancellationToken: cancellationToken)));
        var kept = kinds is null ? [] : current.Where(w => !kinds.Contains(w.Kind));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE connectors SET warnings = @warnings WHERE id = @id;",
            new { id, warnings = StoredWarnings.Write([.. kept, .. warnings]) }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task SaveMappedColumnsAsync(long id, IReadOnlyList<MappedColumn> columns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(columns);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM mapped_columns WHERE connector_id = @id;", new { id }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO mapped_columns (connector_id, position, name, type, source_path) VALUES (@id, @position, @Name, @Type, @SourcePath);",
            columns.Select((c, i) => new { id, position = i, c.Name, c.Type, c.SourcePath }),
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<MappedColumn>> MappedColumnsAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Name, string Type, string SourcePath)>(
            "SELECT name, type, source_path FROM mapped_columns WHERE connector_id = @id ORDER BY position;", new { id });
        return rows.Select(r => new MappedColumn(r.Name, r.Type, r.SourcePath)).ToList();
    }

    private ConnectorRow ToRow(ConnectorDefinition d, ConnectorRow? existing)
    {
        // The stored URIs with their secrets, for the reuse rule; unreadable ones offer nothing to reuse.
        ConnectorDefinition? stored = null;
        var unreadable = existing is not null && !TryUnseal(existing, out stored);
        var source = secrets.Seal(d.Source.Uri, stored is null ? null : ConnectionString.Parse(stored.Source.Uri), "source", unreadable);
        var destination = secrets.Seal(d.Destination.Uri, stored is null ? null : ConnectionString.Parse(stored.Destination.Uri), "destination", unreadable);
        return new ConnectorRow
        {
            Name = d.Name,
            SourceUri = source.MaskedUri,
            SourceSecret = source.Password,
            SourceOptionSecrets = source.Options,
            SourceDatabase = d.Source.Database,
            SourceCollection = d.Source.Collection,
            SourceFilter = d.Source.Filter,
            SourceProjection = d.Source.Projection,
            DestUri = destination.MaskedUri,
            DestSecret = destination.Password,
            DestOptionSecrets = destination.Options,
            DestDatabase = d.Destination.Database,
            DestTable = d.Destination.Table,
            SyncMode = DomainText.ModeText(d.Mode),
            CursorField = d.CursorField,
            IntervalSeconds = d.IntervalSeconds,
            BatchSize = d.BatchSize,
            MappingSeparator = d.Mapping.Separator,
            MappingMaxDepth = d.Mapping.MaxDepth,
            MappingOptions = MappingOptionsText.Write(d.Mapping),
            TableOrderBy = d.Table.OrderBy,
            TablePartitionBy = d.Table.PartitionBy,
            TableTtl = d.Table.Ttl,
            VerifyIntervalSeconds = d.VerifyIntervalSeconds,
            SyncStatus = existing?.SyncStatus ?? DomainText.Text(ConnectorStatus.Active),
            SettleSeconds = d.SettleSeconds,
            OnHistoryLost = DomainText.Text(d.OnHistoryLost),
        };
    }

    /// <summary>The row's definition with its secrets decrypted; false when a ciphertext cannot be.</summary>
    private bool TryUnseal(ConnectorRow row, out ConnectorDefinition? definition)
    {
        definition = null;
        if (!secrets.TryUnseal(new(row.SourceUri, row.SourceSecret, row.SourceOptionSecrets), out var sourceUri)
            || !secrets.TryUnseal(new(row.DestUri, row.DestSecret, row.DestOptionSecrets), out var destUri))
        {
            return false;
        }

        var masked = Definition(row);
        definition = masked with { Source = masked.Source with { Uri = sourceUri }, Destination = masked.Destination with { Uri = destUri } };
        return true;
    }

    /// <summary>The definition as stored: secrets masked.</summary>
    private static ConnectorDefinition Definition(ConnectorRow r) => new(
        r.Name,
        new SourceSpec(r.SourceUri, r.SourceDatabase, r.SourceCollection, r.SourceFilter, r.SourceProjection),
        new DestinationSpec(r.DestUri, r.DestDatabase, r.DestTable),
        DomainText.ParseMode(r.SyncMode),
        r.CursorField,
        (int)r.IntervalSeconds,
        r.BatchSize is null ? null : (int)r.BatchSize,
        MappingOptionsText.Read(r.MappingSeparator, (int)r.MappingMaxDepth, r.MappingOptions),
        new TableOptions(r.TableOrderBy, r.TablePartitionBy, r.TableTtl),
        (int)r.SettleSeconds,
        r.VerifyIntervalSeconds is null ? null : (int)r.VerifyIntervalSeconds,
        DomainText.Parse<HistoryLostPolicy>(r.OnHistoryLost));

    private static StoredConnector ToModel(ConnectorRow r) => new(
        r.Id,
        Definition(r),
        DomainText.Parse<ConnectorStatus>(r.SyncStatus),
        (int)r.ConsecutiveFailures,
        UnixTime.From(r.LastRun),
        UnixTime.From(r.LastAttemptAt),
        DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAt),
        StoredWarnings.Read(r.Warnings),
        r.CredentialsUnreadable);
}
