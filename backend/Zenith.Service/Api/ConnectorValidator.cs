using System.Globalization;
using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;
using Zenith.Service.Domain;

namespace Zenith.Service.Api;

/// <summary>
/// Turns a request into a definition, or says per field (camelCase path) what is wrong with it. (Over 300 lines: one rule per field
/// of the request, each with the message a person acts on.)
/// </summary>
public static partial class ConnectorValidator
{
    public const int MaxBatchSize = 100_000;
    public const int MaxIntervalSeconds = 7 * 24 * 3600;
    public const int DefaultIntervalSeconds = 60;
    public const int MaxSettleSeconds = 3600;
    private const int MaxIdentifierLength = 200;
    public const int MinVerifyIntervalSeconds = 60;
    public const int MaxVerifyIntervalSeconds = 30 * 24 * 3600;

    /// <summary>MongoDB's limit: database names have fewer than 64 bytes.</summary>
    private const int MaxDatabaseBytes = 63;
    public const int MaxNameLength = 100;

    /// <summary>
    /// <paramref name="storedName"/> is the name of the connector being updated (null for a new one): a name that predates the
    /// rule of letters, digits and underscores keeps working until it is changed; a new name and a rename follow the rule.
    /// </summary>
    public static (ConnectorDefinition? Definition, Dictionary<string, string[]> Errors) Validate(ConnectorRequest? request, string? storedName = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors["body"] = ["A JSON body with the connector is required."];
            return (null, errors);
        }

        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors["name"] = ["The name is required."];
        }
        else if (name.Length > MaxNameLength || (!string.Equals(name, storedName, StringComparison.Ordinal) && !NameRule().IsMatch(name)))
        {
            // The name is a metric label and the CLI's handle: the dashboard checks the same rule as it is typed.
            errors["name"] = [$"Use only letters (a–z, A–Z), digits and underscores, at most {MaxNameLength} characters, e.g. visited_sites."];
        }
        else if (HasInvisible(name))
        {
            errors["name"] = ["The name must not contain control or formatting characters (such as the right-to-left override U+202E, which would make it read as another name)."];
        }

        if (storedName is not null && request.Paused is not null)
        {
            errors["paused"] = ["paused applies when a connector is created; pause or resume a saved one with POST /api/connectors/{id}/pause or /resume."];
        }

        ValidateEnds(request.Source, request.Destination, errors);

        if (request.Mode is null)
        {
            errors["mode"] = ["The mode is required: incremental_id, incremental_timestamp, full or change_stream."];
        }
        else if (request.Mode == SyncMode.ChangeStream && request.Source is { } source && (!string.IsNullOrWhiteSpace(source.Filter) || !string.IsNullOrWhiteSpace(source.Projection)))
        {
            errors["source.filter"] = [Zenith.Sync.SyncEngine.ChangeStreamTakesWholeDocuments];
        }

        var cursorField = string.IsNullOrWhiteSpace(request.CursorField) ? ConnectorSpec.DefaultCursorField : request.CursorField.Trim();
        if (cursorField.StartsWith('$') || cursorField.Split('.').Any(p => p.Length == 0))
        {
            errors["cursorField"] = [$"\"{cursorField}\" is not a MongoDB field path (no leading '$', no empty parts)."];
        }
        else if (cursorField == "_id" && request.Mode == SyncMode.IncrementalTimestamp)
        {
            errors["cursorField"] = [Zenith.Sync.SyncEngine.CursorFieldIsId];
        }

        var settle = request.SettleSeconds ?? ConnectorSpec.DefaultSettleSeconds;
        if (settle < 0 || settle > MaxSettleSeconds)
        {
            errors["settleSeconds"] = [$"The settle window must be between 0 and {MaxSettleSeconds} seconds (got {settle})."];
        }

        var interval = request.IntervalSeconds ?? DefaultIntervalSeconds;
        if (interval < 1 || interval > MaxIntervalSeconds)
        {
            errors["intervalSeconds"] = [$"The interval must be between 1 and {MaxIntervalSeconds} seconds (got {interval})."];
        }

        if (request.BatchSize is { } batch && (batch < 1 || batch > MaxBatchSize))
        {
            errors["batchSize"] = [$"The batch size must be between 1 and {MaxBatchSize} (got {batch})."];
        }

        if (request.VerifyIntervalSeconds is { } verify && (verify < MinVerifyIntervalSeconds || verify > MaxVerifyIntervalSeconds))
        {
            errors["verifyIntervalSeconds"] = [$"The verification interval must be between {MinVerifyIntervalSeconds} and {MaxVerifyIntervalSeconds} seconds (got {verify}); leave it out to verify only on request."];
        }

        var mapping = ValidateMapping(request.Mapping, errors);

        var table = new TableOptions(Blank(request.Table?.OrderBy), Blank(request.Table?.PartitionBy), Blank(request.Table?.Ttl));
        foreach (var (field, error) in TableExpressions.Check(table))
        {
            errors[field] = [error];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var s = request.Source;
        var d = request.Destination;
        return (new ConnectorDefinition(
            name!,
            new SourceSpec(s.Uri.Trim(), s.Database.Trim(), s.Collection.Trim(), Blank(s.Filter), Blank(s.Projection)),
            new DestinationSpec(d.Uri.Trim(), d.Database.Trim(), d.Table.Trim()),
            request.Mode!.Value,
            cursorField,
            interval,
            request.BatchSize,
            mapping,
            table,
            settle,
            request.VerifyIntervalSeconds,
            request.OnHistoryLost ?? HistoryLostPolicy.Resync), errors);
    }

    /// <summary>The mapping options of a request, each bad value named under <c>mapping.*</c> (a rule as <c>mapping.rules[i]</c>).</summary>
    public static MappingOptions ValidateMapping(MappingDto? dto, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var mapping = new MappingOptions(dto?.Separator ?? MappingOptions.Default.Separator, dto?.MaxDepth ?? MappingOptions.Default.MaxDepth)
        {
            MaxColumns = dto?.MaxColumns ?? MappingOptions.DefaultMaxColumns,
            WholeDocument = dto?.WholeDocument ?? false,
            LegacyUuid = dto?.LegacyUuid ?? LegacyUuid.None,
            Rules = [.. (dto?.Rules ?? []).Select(r => new FieldRule(r.Path?.Trim() ?? string.Empty, r.Action, string.IsNullOrWhiteSpace(r.Value) ? null : r.Value.Trim()))],
        };
        if (mapping.Separator.Length is < 1 or > 4 || mapping.Separator.Any(c => char.IsControl(c) || c == '`' || c == '"'))
        {
            errors["mapping.separator"] = ["The separator must be 1 to 4 characters, without quotes or control characters."];
        }

        if (mapping.MaxDepth is < 1 or > 16)
        {
            errors["mapping.maxDepth"] = [$"The depth must be between 1 and 16 (got {mapping.MaxDepth})."];
        }

        if (mapping.MaxColumns is < Core.Mapping.MappingRules.MinColumns or > Core.Mapping.MappingRules.MaxColumns)
        {
            errors["mapping.maxColumns"] = [$"The column budget must be between {Core.Mapping.MappingRules.MinColumns} and {Core.Mapping.MappingRules.MaxColumns} (got {mapping.MaxColumns})."];
        }

        var renames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < mapping.Rules.Count; i++)
        {
            var rule = mapping.Rules[i];
            var error = Core.Mapping.MappingRules.RuleError(rule);
            if (error is null && rule.Action == FieldAction.Rename && !renames.Add(rule.Value!))
            {
                error = $"two rules rename to \"{rule.Value}\"";
            }

            if (error is null && mapping.Rules.Take(i).Any(r => r.Path == rule.Path && r.Action != FieldAction.Rename && rule.Action != FieldAction.Rename))
            {
                error = $"{rule.Path} already has a rule; give each path one (a rename may be added)";
            }

            if (error is not null)
            {
                errors[$"mapping.rules[{i}]"] = [char.ToUpperInvariant(error[0]) + error[1..] + "."];
            }
        }

        return mapping;
    }

    public static void ValidateEnds(SourceDto? source, DestinationDto? destination, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (source is null)
        {
            errors["source"] = ["The source (uri, database, collection) is required."];
        }
        else
        {
            if (MongoUriError(source.Uri) is { } uriError)
            {
                errors["source.uri"] = [uriError];
            }

            if (MongoNameError(source.Database, "database", "/\\. \"$", MaxDatabaseBytes) is { } dbError)
            {
                errors["source.database"] = [dbError];
            }

            if (MongoNameError(source.Collection, "collection", "$", 120) is { } collectionError)
            {
                errors["source.collection"] = [collectionError];
            }

            CheckJson(source.Filter, "source.filter", QueryValidator.FilterError, errors);
            CheckJson(source.Projection, "source.projection", QueryValidator.ProjectionError, errors);
        }

        if (destination is null)
        {
            errors["destination"] = ["The destination (uri, database, table) is required."];
        }
        else
        {
            if (ClickHouseUriError(destination.Uri) is { } uriError)
            {
                errors["destination.uri"] = [uriError];
            }

            if (IdentifierError(destination.Database, "database") is { } dbError)
            {
                errors["destination.database"] = [dbError];
            }

            if (IdentifierError(destination.Table, "table") is { } tableError)
            {
                errors["destination.table"] = [tableError];
            }
            else if (destination.Table.Contains(Zenith.Core.Mapping.Ddl.StagingInfix, StringComparison.Ordinal))
            {
                errors["destination.table"] = [$"Table names containing \"{Zenith.Core.Mapping.Ddl.StagingInfix}\" are Zenith's staging tables (a full run or a resync drops them); choose another name."];
            }
        }
    }

    private static string? MongoUriError(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            return "The MongoDB connection string is required (mongodb://host:27017).";
        }

        if (!uri.StartsWith("mongodb://", StringComparison.Ordinal) && !uri.StartsWith("mongodb+srv://", StringComparison.Ordinal))
        {
            return "The MongoDB connection string must start with mongodb:// or mongodb+srv://.";
        }

        try
        {
            _ = new MongoUrl(uri.Trim());
            return null;
        }
        catch (Exception e) when (e is MongoConfigurationException or FormatException or ArgumentException)
        {
            return "The MongoDB connection string is not valid: " + Redaction.Redact(e.Message, uri);
        }
    }

    private static string? ClickHouseUriError(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            return "The ClickHouse URL is required (http://host:8123).";
        }

        return Uri.TryCreate(uri.Trim(), UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" && parsed.Host.Length > 0
            ? null
            : "The ClickHouse URL must be an http:// or https:// address of its HTTP interface, e.g. http://default:password@clickhouse:8123.";
    }

    private static string? MongoNameError(string? value, string what, string forbidden, int maxBytes)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"The {what} name is required.";
        }

        var bytes = System.Text.Encoding.UTF8.GetByteCount(value.Trim());
        if (bytes > maxBytes)
        {
            return $"MongoDB allows {what} names of at most {maxBytes} bytes (this one has {bytes}).";
        }

        return value.Any(c => c == '\0' || forbidden.Contains(c, StringComparison.Ordinal)) || HasInvisible(value)
            ? $"The {what} name must not contain {string.Join(' ', forbidden.Select(c => c == ' ' ? "space" : c.ToString()))}, NUL, or control or formatting characters."
            : null;
    }

    /// <summary>
    /// Control characters, formatting ones (bidi overrides and isolates, zero-width joiners: U+202E makes a name read as another
    /// one in the dashboard and the logs), line and paragraph separators, and halves of a character (unpaired surrogates).
    /// </summary>
    private static bool HasInvisible(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.GetUnicodeCategory(text[i]) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Zenith quotes identifiers, so ClickHouse accepts almost any name; it rejects these (file-system names, control characters).</summary>
    private static string? IdentifierError(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"The {what} name is required.";
        }

        var v = value.Trim();
        if (v.Length > MaxIdentifierLength || v is "." or ".." || HasInvisible(v) || v.Any(c => c is '/' or '\\' or '`'))
        {
            return $"ClickHouse would reject the {what} name \"{v}\": use at most {MaxIdentifierLength} characters, no control characters, '/', '\\' or '`', and not '.' or '..'.";
        }

        if (what == "database" && (v.Equals("system", StringComparison.OrdinalIgnoreCase) || v.Equals("information_schema", StringComparison.OrdinalIgnoreCase)))
        {
            return $"\"{v}\" is a ClickHouse system database; choose another.";
        }

        return null;
    }

    private static void CheckJson(string? json, string field, Func<BsonDocument, string?> rules, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return;
        }

        try
        {
            if (rules(BsonDocument.Parse(json)) is { } error)
            {
                errors[field] = [error];
            }
        }
#pragma warning disable CA1031 // The BSON reader throws several exception types for bad text; each is the user's input error.
        catch (Exception e)
#pragma warning restore CA1031
        {
            errors[field] = [$"Not a valid MongoDB extended JSON document: {e.Message}"];
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_]+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex NameRule();
}
