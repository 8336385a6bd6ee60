using System.CommandLine;
using Zenith.Service.Api;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;

namespace Zenith.Service.Cli;

/// <summary>
/// The command line on the same binary: <c>zenith</c> (or <c>zenith serve</c>) runs the service; <c>status</c>, <c>sync</c>,
/// <c>reset</c>, <c>resync</c>, <c>connectors list|add|remove</c> and <c>migrate</c> work on the SQLite file of zenith.json, or on a
/// running service with <c>--api</c>.
/// </summary>
public static class ZenithCli
{
    private static readonly string[] HelpFlags = ["--help", "-h", "-?"];
    private static readonly string[] Commands = ["serve", "status", "sync", "reset", "resync", "verify", "connectors", "migrate", "--version", .. HelpFlags];

    /// <summary>True when the arguments are a CLI command; false means run the service.</summary>
    public static bool IsCommand(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Length > 0 && Commands.Contains(args[0], StringComparer.Ordinal) && !(args[0] == "serve" && !args.Intersect(HelpFlags).Any());
    }

    /// <summary>The arguments for the host: <c>serve</c> itself removed.</summary>
    public static string[] ServiceArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args is ["serve", .. var rest] ? rest : args;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var api = new Option<string?>("--api") { Description = "Talk to a running service at this URL (e.g. http://127.0.0.1:8080) instead of the SQLite file.", Recursive = true };
        var apiKey = new Option<string?>("--api-key") { Description = "The service's API key (default: ZENITH_auth__api_key).", Recursive = true };

        var root = new RootCommand("Zenith copies MongoDB collections into ClickHouse tables on a schedule. Without a command it runs the service.");
        root.Options.Add(api);
        root.Options.Add(apiKey);
        root.Subcommands.Add(new Command("serve", "Run the service (the default): API, dashboard, metrics and scheduler."));

        var status = new Command("status", "Connectors with their status and last run.");
        status.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, async client =>
        {
            await PrintConnectorsAsync(client, output, ct);
            return 0;
        }));
        root.Subcommands.Add(status);

        Command RunCommand(string command, string description, Func<IZenithClient, string, CancellationToken, Task<RunResponse>> start)
        {
            var name = new Argument<string>("name") { Description = "The connector's name." };
            var run = new Command(command, description) { name };
            run.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, async client =>
            {
                var finished = await start(client, parse.GetValue(name)!, ct);
                await output.WriteLineAsync(Describe(finished));
                return finished.Status == RunStatus.Succeeded ? 0 : 1;
            }));
            return run;
        }

        root.Subcommands.Add(RunCommand("sync", "Run one connector now and print its result (exit code 1 if the run fails).", (c, n, ct) => c.SyncAsync(n, ct)));

        var resetName = new Argument<string>("name") { Description = "The connector's name." };
        var reset = new Command("reset", "Forget a connector's checkpoint: its next run starts from the beginning into the same table.") { resetName };
        reset.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, async client =>
        {
            var connector = await client.ResetAsync(parse.GetValue(resetName)!, ct);
            await output.WriteLineAsync(connector.Message ?? $"Checkpoint of {connector.Name} reset.");
            return 0;
        }));
        root.Subcommands.Add(reset);

        root.Subcommands.Add(RunCommand(
            "resync", "Reload a connector into a new table and swap it in atomically; print the run (exit code 1 if it fails).", (c, n, ct) => c.ResyncAsync(n, ct)));
        root.Subcommands.Add(VerifyCommand(api, apiKey, output, error));

        root.Subcommands.Add(ConnectorsCommand(api, apiKey, output, error));

        var migrate = new Command("migrate", "Create or upgrade the SQLite metadata file (metadata_storage.path).");
        migrate.SetAction(async (parse, ct) => await GuardAsync(error, async () =>
        {
            if (parse.GetValue(api) is not null)
            {
                throw new CliException("migrate works on the SQLite file; run it without --api (the service migrates itself at start-up).");
            }

            var applied = await Cli.LocalClient.MigrateAsync(LoadConfiguration(), ct);
            await output.WriteLineAsync(applied.Count == 0
                ? "The metadata database is up to date."
                : $"Applied migrations {string.Join(", ", applied)}.");
            return 0;
        }));
        root.Subcommands.Add(migrate);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync("zenith: " + string.Join(" ", parsed.Errors.Select(e => string.Join(" ", e.Message.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries)))) + " (see --help)");
            return 1;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static Command VerifyCommand(Option<string?> api, Option<string?> apiKey, TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("name") { Description = "The connector's name." };
        var sample = new Option<int?>("--sample") { Description = "Documents whose values are compared (default verification.sample_size; 0: ids only)." };
        var verify = new Command("verify", "Verify the connector's table against its collection and print what differs (exit code 1 on any difference or failure).") { name, sample };
        verify.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, async client =>
        {
            var v = await client.VerifyAsync(parse.GetValue(name)!, parse.GetValue(sample), ct);
            foreach (var line in VerificationText.Lines(v))
            {
                await output.WriteLineAsync(line);
            }

            return v is { Status: VerificationStatus.Succeeded, Report.Clean: true } ? 0 : 1;
        }));
        return verify;
    }

    private static Command ConnectorsCommand(Option<string?> api, Option<string?> apiKey, TextWriter output, TextWriter error)
    {
        var connectors = new Command("connectors", "List, add or remove connectors.");
        var list = new Command("list", "All connectors.");
        list.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, async client =>
        {
            await PrintConnectorsAsync(client, output, ct);
            return 0;
        }));

        var name = new Option<string>("--name") { Description = "Unique name.", Required = true };
        var sourceUri = new Option<string>("--source-uri") { Description = "MongoDB connection string.", Required = true };
        var sourceDatabase = new Option<string>("--source-database") { Description = "MongoDB database.", Required = true };
        var collection = new Option<string>("--collection") { Description = "MongoDB collection.", Required = true };
        var destUri = new Option<string>("--dest-uri") { Description = "ClickHouse HTTP URL, e.g. http://default:pw@localhost:8123.", Required = true };
        var destDatabase = new Option<string>("--dest-database") { Description = "ClickHouse database.", Required = true };
        var table = new Option<string?>("--table") { Description = "ClickHouse table (default: the collection's name)." };
        var mode = new Option<string>("--mode") { Description = "How runs pick documents.", DefaultValueFactory = _ => "incremental_id" };
        mode.AcceptOnlyFromAmong("incremental_id", "incremental_timestamp", "full");
        var cursor = new Option<string?>("--cursor-field") { Description = "Timestamp field for incremental_timestamp (default updated_at)." };
        var interval = new Option<int>("--interval") { Description = "Seconds between runs.", DefaultValueFactory = _ => ConnectorValidator.DefaultIntervalSeconds };
        var batch = new Option<int?>("--batch-size") { Description = "Documents per insert (default processing.batch_size)." };
        var rules = new Option<string[]>("--rule")
        {
            Description = "A field rule, repeatable: exclude:PATH, include:PATH, json:PATH, map:PATH, flatten:PATH, type:PATH=TYPE, rename:PATH=COLUMN.",
            AllowMultipleArgumentsPerToken = false,
        };
        var maxColumns = new Option<int?>("--max-columns") { Description = "The column budget (default 500); fields beyond go to _zenith_extra." };
        var wholeDocument = new Option<bool>("--whole-document") { Description = "Also keep each whole document in one JSON column, _zenith_doc." };
        var settle = new Option<int?>("--settle-seconds") { Description = "Settle window of the incremental modes (default 5)." };
        var add = new Command("add", "Add a connector (it runs when the service next looks, within 30 s).")
        {
            name, sourceUri, sourceDatabase, collection, destUri, destDatabase, table, mode, cursor, interval, batch, settle, rules, maxColumns, wholeDocument,
        };
        add.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, async client =>
        {
            var request = new ConnectorRequest(
                parse.GetValue(name)!,
                new SourceDto(parse.GetValue(sourceUri)!, parse.GetValue(sourceDatabase)!, parse.GetValue(collection)!),
                new DestinationDto(parse.GetValue(destUri)!, parse.GetValue(destDatabase)!, parse.GetValue(table) ?? parse.GetValue(collection)!),
                DomainText.ParseMode(parse.GetValue(mode)!),
                parse.GetValue(cursor),
                parse.GetValue(interval),
                parse.GetValue(batch),
                new MappingDto(
                    MaxColumns: parse.GetValue(maxColumns),
                    WholeDocument: parse.GetValue(wholeDocument) ? true : null,
                    Rules: [.. (parse.GetValue(rules) ?? []).Select(CliRules.Parse)]),
                SettleSeconds: parse.GetValue(settle));
            var created = await client.AddAsync(request, ct);
            await output.WriteLineAsync($"Added connector {created.Name} (id {created.Id}): {created.Source.Uri} → {created.Destination.Uri}");
            return 0;
        }));

        var removeName = new Argument<string>("name") { Description = "The connector's name." };
        var remove = new Command("remove", "Delete a connector (its ClickHouse table stays).") { removeName };
        remove.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, async client =>
        {
            await client.RemoveAsync(parse.GetValue(removeName)!, ct);
            await output.WriteLineAsync($"Removed connector {parse.GetValue(removeName)}.");
            return 0;
        }));

        connectors.Subcommands.Add(list);
        connectors.Subcommands.Add(add);
        connectors.Subcommands.Add(remove);
        return connectors;
    }

    private static string Describe(RunResponse run) =>
        $"Run {run.Id} {Text(run.Status)}: {run.RowsRead} read, {run.RowsWritten} written, {run.RowsFailed} failed, {run.Batches} batches in {run.DurationMs ?? 0} ms{(run.Error is null ? "" : " — " + run.Error)}";

    private static async Task PrintConnectorsAsync(IZenithClient client, TextWriter output, CancellationToken ct)
    {
        var connectors = await client.ListAsync(ct);
        if (connectors.Count == 0)
        {
            await output.WriteLineAsync("No connectors. Add one with: zenith connectors add --help");
            return;
        }

        var width = Math.Max(4, connectors.Max(c => c.Name.Length));
        await output.WriteLineAsync($"{"NAME".PadRight(width)}  {"STATUS",-7}  {"LAST SUCCESS",-20}  LAST RUN");
        foreach (var c in connectors)
        {
            var last = c.LastResult is { } r
                ? $"{Text(r.Status)} {r.RowsWritten} rows written{(r.Error is null ? "" : " — " + r.Error)}"
                : "never ran";
            var lastRun = c.LastRun?.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
            await output.WriteLineAsync($"{c.Name.PadRight(width)}  {Text(c.Status),-7}  {lastRun,-20}  {last}");
        }
    }

    private static async Task<int> WithClientAsync(ParseResult parse, Option<string?> api, Option<string?> apiKey, TextWriter error, Func<IZenithClient, Task<int>> action) =>
        await GuardAsync(error, async () =>
        {
            await using IZenithClient client = parse.GetValue(api) is { } url
                ? new HttpClientAdapter(ApiUrl(url), parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("ZENITH_auth__api_key"))
                : await Cli.LocalClient.OpenAsync(LoadConfiguration(), CancellationToken.None);
            return await action(client);
        });

    /// <summary>Every failure is one line on stderr and exit code 1.</summary>
    private static async Task<int> GuardAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CliException e)
        {
            await error.WriteLineAsync("zenith: " + e.Message);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Invalid configuration:", StringComparison.Ordinal))
        {
            await error.WriteLineAsync("zenith: " + e.Message);
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("zenith: cancelled.");
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync("zenith: " + e.Message.ReplaceLineEndings(" "));
        }

        return 1;
    }

    private static Uri ApiUrl(string text) =>
        Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new CliException($"--api must be the service's http(s) URL, e.g. http://127.0.0.1:8080 (got \"{text}\").");

    private static IConfiguration LoadConfiguration() => new ConfigurationBuilder().AddZenithConfiguration().Build();

    private static string Text<TEnum>(TEnum value)
        where TEnum : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
