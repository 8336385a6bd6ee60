using System.CommandLine;
using System.CommandLine.Invocation;
using Zenith.Service.Api;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;

namespace Zenith.Service.Cli;

/// <summary>
/// The command line on the same binary. <c>zenith serve</c> runs the service, and nothing else does: a mistyped command or
/// option is one line on stderr and exit code 2, before anything touches the disk. <c>status</c>, <c>sync</c>,
/// <c>reset</c>, <c>resync</c>, <c>verify</c>, <c>connectors list|add|remove</c> and <c>migrate</c> work on the SQLite file of zenith.json, or on a running service with
/// <c>--api</c>, which may come before or after the command. A failure is one line and exit code 1.
/// </summary>
public static class ZenithCli
{
    /// <summary>Exit code of a command line that could not be understood (as sysexits' EX_USAGE family, and System.CommandLine's own).</summary>
    public const int UsageError = 2;

    /// <summary>
    /// True when the arguments ask for the service: exactly <c>serve</c>. Also when ASP.NET's test host runs this entry point
    /// (WebApplicationFactory): it passes its host settings as <c>--key=value</c> arguments and has no way to name a command.
    /// </summary>
    public static bool StartsService(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args is ["serve"] || (InTestHost() && args.All(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)));
    }

    /// <summary>The arguments for the host: <c>serve</c> itself removed.</summary>
    public static string[] ServiceArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args is ["serve", .. var rest] ? rest : args;
    }

    private static bool InTestHost() =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.AspNetCore.Mvc.Testing");

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        output ??= Console.Out;
        error ??= Console.Error;
        var api = new Option<string?>("--api") { Description = "Talk to a running service at this URL (e.g. http://127.0.0.1:8080) instead of the SQLite file.", Recursive = true };
        var apiKey = new Option<string?>("--api-key") { Description = "The service's API key (default: ZENITH_auth__api_key).", Recursive = true };

        var root = new RootCommand("Zenith copies MongoDB collections into ClickHouse tables on a schedule. `zenith serve` runs the service.");
        root.Options.Add(api);
        root.Options.Add(apiKey);
        root.SetAction(_ => Usage(error, "no command given: `zenith serve` runs the service, `zenith --help` lists the commands"));
        var serve = new Command("serve", "Run the service: the API, the dashboard, the metrics and the scheduler (settings from zenith.json and ZENITH_*).");
        serve.SetAction(parse => Usage(error, parse.GetValue(api) is null
            ? "serve takes no arguments; settings come from zenith.json and ZENITH_* variables"
            : "serve runs the service here; --api talks to one that runs elsewhere"));
        root.Subcommands.Add(serve);

        var status = new Command("status", "Connectors with their status and last run.");
        status.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, mustExist: true, async client =>
        {
            await CliText.PrintConnectorsAsync(await client.ListAsync(ct), output);
            return 0;
        }));
        root.Subcommands.Add(status);

        Command RunCommand(string command, string description, Func<IZenithClient, string, CancellationToken, Task<RunResponse>> start)
        {
            var name = new Argument<string>("name") { Description = "The connector's name." };
            var run = new Command(command, description) { name };
            run.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, mustExist: true, async client =>
            {
                var finished = await start(client, parse.GetValue(name)!, ct);
                await output.WriteLineAsync(CliText.RunLine(finished));
                return finished.Status == RunStatus.Succeeded ? 0 : 1;
            }));
            return run;
        }

        var syncName = new Argument<string>("name") { Description = "The connector's name." };
        var sync = new Command("sync", "Run one connector now (or wait for its run going) and print its result; exit code 1 if the run fails.") { syncName };
        sync.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, mustExist: true, async client =>
        {
            var run = await client.SyncAsync(
                parse.GetValue(syncName)!,
                running => output.WriteLine($"Run {running.Id} ({running.Trigger.ToString().ToLowerInvariant()}) is already {CliText.Run(running.Status).ToLowerInvariant()}; waiting for it to finish."),
                ct);
            await output.WriteLineAsync(CliText.RunLine(run));
            return run.Status == RunStatus.Succeeded ? 0 : 1;
        }));
        root.Subcommands.Add(sync);

        var resetName = new Argument<string>("name") { Description = "The connector's name." };
        var reset = new Command("reset", "Forget a connector's checkpoint: its next run starts from the beginning into the same table.") { resetName };
        reset.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, mustExist: true, async client =>
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
        migrate.SetAction(async (parse, ct) => parse.GetValue(api) is not null
            ? Usage(error, "migrate works on the SQLite file; run it without --api (the service migrates itself at start-up)")
            : await GuardAsync(error, async () =>
            {
                var applied = await LocalClient.MigrateAsync(LoadConfiguration(), ct);
                await output.WriteLineAsync(applied.Count == 0
                    ? "The metadata database is up to date."
                    : $"Applied migrations {string.Join(", ", applied)}.");
                return 0;
            }));
        root.Subcommands.Add(migrate);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // The parser's own words, with its typo suggestion (stauts → status), on one line and without the help page.
            if (parsed.Action is ParseErrorAction action)
            {
                action.ShowHelp = false;
                action.ShowTypoCorrections = true;
            }

            using var said = new StringWriter();
            await parsed.InvokeAsync(new InvocationConfiguration { Output = said, Error = said });
            var lines = said.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var suggested = lines.SkipWhile(l => !l.Contains("Did you mean", StringComparison.Ordinal)).Skip(1)
                .TakeWhile(l => !l.Contains(' ', StringComparison.Ordinal)).ToList();
            // The first word it did not know is the one to fix; the words after it are unknown only because of it.
            var messages = parsed.Errors.Select(e => OneLine(e.Message)).Distinct(StringComparer.Ordinal).ToList();
            var unknown = messages.FirstOrDefault(m => m.StartsWith("Unrecognized", StringComparison.Ordinal));
            var errors = string.Join(" ", messages.Where(m => m == unknown || !m.StartsWith("Unrecognized", StringComparison.Ordinal)));
            return Usage(error, errors + (suggested.Count > 0 ? $" Did you mean {string.Join(" or ", suggested.Select(n => $"'{n}'"))}?" : string.Empty), HelpFor(parsed));
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static Command VerifyCommand(Option<string?> api, Option<string?> apiKey, TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("name") { Description = "The connector's name." };
        var sample = new Option<int?>("--sample") { Description = "Documents whose values are compared (default verification.sample_size; 0: ids only)." };
        var verify = new Command("verify", "Verify the connector's table against its collection and print what differs (exit code 1 on any difference or failure).") { name, sample };
        verify.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, mustExist: true, async client =>
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
        connectors.SetAction(_ => Usage(error, "connectors needs a subcommand: list, add or remove", "zenith connectors --help"));
        var list = new Command("list", "All connectors.");
        list.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, mustExist: true, async client =>
        {
            await CliText.PrintConnectorsAsync(await client.ListAsync(ct), output);
            return 0;
        }));

        var name = new Option<string>("--name") { Description = "Unique name: letters, digits and underscores.", Required = true };
        var sourceUri = new Option<string>("--source-uri") { Description = "MongoDB connection string.", Required = true };
        var sourceDatabase = new Option<string>("--source-database") { Description = "MongoDB database.", Required = true };
        var collection = new Option<string>("--collection") { Description = "MongoDB collection.", Required = true };
        var destUri = new Option<string>("--dest-uri") { Description = "ClickHouse HTTP URL, e.g. http://default:pw@localhost:8123.", Required = true };
        var destDatabase = new Option<string>("--dest-database") { Description = "ClickHouse database.", Required = true };
        var table = new Option<string?>("--table") { Description = "ClickHouse table (default: the collection's name)." };
        var mode = new Option<string>("--mode") { Description = "How runs pick documents.", DefaultValueFactory = _ => "incremental_id" };
        mode.AcceptOnlyFromAmong("incremental_id", "incremental_timestamp", "full", "change_stream");
        var cursor = new Option<string?>("--cursor-field") { Description = "Timestamp field for incremental_timestamp (default updated_at)." };
        var interval = new Option<int>("--interval") { Description = "Seconds between runs.", DefaultValueFactory = _ => ConnectorValidator.DefaultIntervalSeconds };
        var batch = new Option<int?>("--batch-size") { Description = "Documents per insert (default processing.batch_size)." };
        var historyLost = new Option<string?>("--on-history-lost") { Description = "change_stream: resync (default) or error when the position fell off the oplog." };
        historyLost.AcceptOnlyFromAmong("resync", "error");
        var paused = new Option<bool>("--paused") { Description = "Create it paused: nothing runs until it is resumed." };
        var rules = new Option<string[]>("--rule")
        {
            Description = "A field rule, repeatable: exclude:PATH, include:PATH, json:PATH, map:PATH, flatten:PATH, type:PATH=TYPE, rename:PATH=COLUMN.",
            AllowMultipleArgumentsPerToken = false,
        };
        var maxColumns = new Option<int?>("--max-columns") { Description = "The column budget (default 500); fields beyond go to _zenith_extra." };
        var wholeDocument = new Option<bool>("--whole-document") { Description = "Also keep each whole document in one JSON column, _zenith_doc." };
        var settle = new Option<int?>("--settle-seconds") { Description = "Settle window of the incremental modes (default 5)." };
        var add = new Command("add", "Add a connector; a running service starts its first run at once (a paused one waits to be resumed).")
        {
            name, sourceUri, sourceDatabase, collection, destUri, destDatabase, table, mode, cursor, interval, batch, settle, historyLost, rules, maxColumns, wholeDocument, paused,
        };
        add.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, mustExist: false, async client =>
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
                SettleSeconds: parse.GetValue(settle),
                Paused: parse.GetValue(paused) ? true : null,
                OnHistoryLost: parse.GetValue(historyLost) is { } lost ? DomainText.Parse<Zenith.Core.Connectors.HistoryLostPolicy>(lost) : null);
            var created = await client.AddAsync(request, ct);
            await output.WriteLineAsync($"Added connector {created.Name} (id {created.Id}, {CliText.Status(created).ToLowerInvariant()}): {created.Source.Uri} → {created.Destination.Uri}");
            return 0;
        }));

        var removeName = new Argument<string>("name") { Description = "The connector's name." };
        var remove = new Command("remove", "Delete a connector (its ClickHouse table stays).") { removeName };
        remove.SetAction((parse, ct) => WithClientAsync(parse, api, apiKey, error, mustExist: true, async client =>
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

    private static async Task<int> WithClientAsync(
        ParseResult parse, Option<string?> api, Option<string?> apiKey, TextWriter error, bool mustExist, Func<IZenithClient, Task<int>> action) =>
        await GuardAsync(error, async () =>
        {
            await using IZenithClient client = parse.GetValue(api) is { } url
                ? new HttpClientAdapter(ApiUrl(url), parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("ZENITH_auth__api_key"))
                : await LocalClient.OpenAsync(LoadConfiguration(), CancellationToken.None, mustExist);
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
            await error.WriteLineAsync("zenith: " + OneLine(e.Message));
        }

        return 1;
    }

    private static int Usage(TextWriter error, string message, string help = "zenith --help")
    {
        error.WriteLine($"zenith: {message} (see {help})");
        return UsageError;
    }

    /// <summary>The help of the command the parser got to: <c>zenith connectors add --help</c>.</summary>
    private static string HelpFor(ParseResult parsed)
    {
        var path = new List<string>();
        for (var result = parsed.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            path.Insert(0, result.Command is RootCommand ? "zenith" : result.Command.Name);
        }

        return string.Join(' ', path) + " --help";
    }

    private static string OneLine(string message) => string.Join(" ", message.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));

    private static Uri ApiUrl(string text) =>
        Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new CliException($"--api must be the service's http(s) URL, e.g. http://127.0.0.1:8080 (got \"{text}\").");

    private static IConfiguration LoadConfiguration() => new ConfigurationBuilder().AddZenithConfiguration().Build();
}
