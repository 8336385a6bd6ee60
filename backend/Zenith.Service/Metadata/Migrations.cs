using Dapper;

namespace Zenith.Service.Metadata;

/// <summary>Versioned schema changes, applied in order at start-up (and by <c>zenith migrate</c>). Never edit a shipped step: add one.</summary>
public sealed class Migrations(MetadataDatabase database, TimeProvider time, ConnectionSecrets secrets)
{
    private static readonly (int Version, string Sql)[] Steps =
    [
        (1, """
            CREATE TABLE connectors (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL COLLATE NOCASE UNIQUE,
                source_uri TEXT NOT NULL,            -- password replaced by ***
                source_secret TEXT NULL,             -- the password, Data Protection ciphertext
                source_database TEXT NOT NULL,
                source_collection TEXT NOT NULL,
                source_filter TEXT NULL,
                source_projection TEXT NULL,
                dest_uri TEXT NOT NULL,              -- password replaced by ***
                dest_secret TEXT NULL,
                dest_database TEXT NOT NULL,
                dest_table TEXT NOT NULL,
                sync_mode TEXT NOT NULL,
                cursor_field TEXT NOT NULL,
                interval_seconds INTEGER NOT NULL,
                batch_size INTEGER NULL,
                mapping_separator TEXT NOT NULL,
                mapping_max_depth INTEGER NOT NULL,
                table_order_by TEXT NULL,
                table_partition_by TEXT NULL,
                table_ttl TEXT NULL,
                sync_status TEXT NOT NULL,
                consecutive_failures INTEGER NOT NULL DEFAULT 0,
                last_run INTEGER NULL,               -- last successful sync, unix ms
                last_attempt_at INTEGER NULL,        -- last finished run of any outcome, unix ms
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE checkpoints (
                connector_id INTEGER PRIMARY KEY REFERENCES connectors(id) ON DELETE CASCADE,
                value TEXT NOT NULL,
                display TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                connector_id INTEGER NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
                trigger TEXT NOT NULL,
                status TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER NULL,
                rows_read INTEGER NOT NULL DEFAULT 0,
                rows_written INTEGER NOT NULL DEFAULT 0,
                rows_failed INTEGER NOT NULL DEFAULT 0,
                batches INTEGER NOT NULL DEFAULT 0,
                bytes INTEGER NOT NULL DEFAULT 0,
                duration_ms INTEGER NULL,
                error TEXT NULL
            );
            CREATE INDEX runs_by_connector ON runs (connector_id, id);
            CREATE TABLE logs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                time INTEGER NOT NULL,
                level TEXT NOT NULL,
                connector_id INTEGER NULL,
                run_id INTEGER NULL,
                message TEXT NOT NULL
            );
            CREATE INDEX logs_by_connector ON logs (connector_id, id);
            CREATE TABLE mapped_columns (
                connector_id INTEGER NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                source_path TEXT NOT NULL,
                PRIMARY KEY (connector_id, position)
            );
            """),

        // Issue 11: the settle window, what the user should fix, checkpoints tied to their definition with a version floor that
        // survives a reset, and a lease per connector so one never runs in two processes at once.
        (2, """
            ALTER TABLE connectors ADD COLUMN settle_seconds INTEGER NOT NULL DEFAULT 5;
            ALTER TABLE connectors ADD COLUMN warnings TEXT NULL;         -- JSON [{kind, message}]
            ALTER TABLE checkpoints ADD COLUMN fingerprint TEXT NULL;     -- the definition the position was made for
            ALTER TABLE checkpoints ADD COLUMN version_floor INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE leases (
                connector_id INTEGER PRIMARY KEY REFERENCES connectors(id) ON DELETE CASCADE,
                holder TEXT NOT NULL,                                     -- the process running it
                expires_at INTEGER NOT NULL                               -- unix ms; renewed while the run goes
            );
            """),

        // Issue 13's mapping options beyond separator and depth: the column budget, the whole-document column, legacy UUIDs and
        // the field rules, as one JSON text (MappingOptionsText); NULL means the defaults.
        (3, """
            ALTER TABLE connectors ADD COLUMN mapping_options TEXT NULL;
            """),

        // Issue 14: secrets outside the user-info encrypted like passwords, and a state for secrets that cannot be decrypted.
        (4, """
            -- Secret URI options (tlsCertificateKeyFilePassword, AWS_SESSION_TOKEN, ...): a JSON object, Data Protection ciphertext;
            -- the URIs keep them as ***. Rows written before hold them in clear: moved here by this step's code.
            ALTER TABLE connectors ADD COLUMN source_option_secrets TEXT NULL;
            ALTER TABLE connectors ADD COLUMN dest_option_secrets TEXT NULL;
            -- 1 when the stored secrets cannot be decrypted (the key ring is not the one they were encrypted with).
            ALTER TABLE connectors ADD COLUMN credentials_unreadable INTEGER NOT NULL DEFAULT 0;
            """),

        // Issue 18: a verification interval per connector, and the verifications (bounded like runs).
        (5, """
            ALTER TABLE connectors ADD COLUMN verify_interval_seconds INTEGER NULL;
            CREATE TABLE verifications (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                connector_id INTEGER NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
                trigger TEXT NOT NULL,
                status TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER NULL,
                phase TEXT NOT NULL DEFAULT 'queued',
                ids_compared INTEGER NOT NULL DEFAULT 0,
                estimated_total INTEGER NOT NULL DEFAULT 0,
                duration_ms INTEGER NULL,
                report TEXT NULL,                    -- the VerificationReport as JSON: counts, the first ids, paths; no document contents
                error TEXT NULL
            );
            CREATE INDEX verifications_by_connector ON verifications (connector_id, id);
            """),

        // Issue 16: a failure's short line and the drivers' full text apart, so a person reads one line and may open the rest;
        // a live run's size to measure it against (estimatedDocumentCount) and when its numbers were last stored (its rate).
        (6, """
            -- The drivers' text of a failure (kilobytes) lives apart from its row and only for the newest few: deleted as whole
            -- rows, it leaves no half-empty pages behind in the bounded runs and logs tables.
            CREATE TABLE run_details (run_id INTEGER PRIMARY KEY, detail TEXT NOT NULL);
            CREATE TABLE log_details (log_id INTEGER PRIMARY KEY, detail TEXT NOT NULL);
            ALTER TABLE runs ADD COLUMN estimated_rows INTEGER NULL;
            ALTER TABLE runs ADD COLUMN progress_at INTEGER NULL;  -- unix ms of the last stored progress
            """),

        // Issue 12: what a change-stream connector does when its position fell off the oplog (resync | error).
        (7, """
            ALTER TABLE connectors ADD COLUMN on_history_lost TEXT NOT NULL DEFAULT 'resync';
            """),
    ];

    public static int LatestVersion => Steps.Max(s => s.Version);

    /// <summary>Every step's version, in order.</summary>
    public static IReadOnlyList<int> Versions => [.. Steps.Select(s => s.Version)];

    /// <summary>Applies pending steps; returns the versions applied. Safe when two processes start at once (BEGIN IMMEDIATE).</summary>
    public Task<IReadOnlyList<int>> ApplyAsync(CancellationToken cancellationToken) => ApplyUpToAsync(int.MaxValue, cancellationToken);

    /// <summary>Applies pending steps up to <paramref name="upTo"/> (a file as an older Zenith left it, for tests of later steps).</summary>
    public async Task<IReadOnlyList<int>> ApplyUpToAsync(int upTo, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // auto_vacuum only takes effect on an empty file; WAL is persistent once set.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA auto_vacuum = INCREMENTAL;", cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);", cancellationToken: cancellationToken));

        var applied = new List<int>();
        // Microsoft.Data.Sqlite begins IMMEDIATE transactions: a second migrator waits here instead of racing.
        await using var transaction = connection.BeginTransaction();
        // Every step not applied yet (up to upTo), not only those above the highest: branches add steps with numbers given out in
        // advance, so a file may have step 3 before step 2 exists.
        var done = (await connection.QueryAsync<int>(new CommandDefinition("SELECT version FROM schema_version;", transaction: transaction, cancellationToken: cancellationToken))).ToHashSet();
        foreach (var (step, sql) in Steps.Where(s => !done.Contains(s.Version) && s.Version <= upTo))
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
            if (step == 4)
            {
                await SealClearOptionsAsync(connection, transaction, cancellationToken);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_version (version, applied_at) VALUES (@version, @now);",
                new { version = step, now = time.GetUtcNow().ToUnixTimeMilliseconds() },
                transaction, cancellationToken: cancellationToken));
            applied.Add(step);
        }

        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    /// <summary>Version 4's data step: secret options kept in clear in the URIs of older rows go into the encrypted columns.</summary>
    private async Task SealClearOptionsAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long Id, string SourceUri, string DestUri)>(new CommandDefinition(
            "SELECT id, source_uri, dest_uri FROM connectors;", transaction: transaction, cancellationToken: cancellationToken));
        foreach (var (id, sourceUri, destUri) in rows)
        {
            var source = secrets.SealClearOptions(new(sourceUri, null, null));
            var dest = secrets.SealClearOptions(new(destUri, null, null));
            if (source is null && dest is null)
            {
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE connectors SET source_uri = @sourceUri, source_option_secrets = @sourceOptions, dest_uri = @destUri, dest_option_secrets = @destOptions
                WHERE id = @id;
                """,
                new { id, sourceUri = source?.MaskedUri ?? sourceUri, sourceOptions = source?.Options, destUri = dest?.MaskedUri ?? destUri, destOptions = dest?.Options },
                transaction, cancellationToken: cancellationToken));
        }
    }

    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';", cancellationToken: cancellationToken));
        return exists == 0 ? 0 : await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT MAX(version) FROM schema_version;", cancellationToken: cancellationToken)) ?? 0;
    }
}
