// Runs one sync of one connector in its own process, with its checkpoint in a file: the subject of the
// kill -9 tests (tests/Zenith.Sync.Tests/KillTests.cs), which start it, SIGKILL it and start it again.
using System.CommandLine;
using Zenith.Core.Connectors;
using Zenith.Sync;
using Zenith.Sync.Runner;

var mongo = new Option<string>("--mongo") { Description = "MongoDB connection string.", Required = true };
var database = new Option<string>("--database") { Description = "MongoDB database.", Required = true };
var collection = new Option<string>("--collection") { Description = "MongoDB collection.", Required = true };
var clickHouse = new Option<string>("--clickhouse") { Description = "ClickHouse HTTP URL.", Required = true };
var chDatabase = new Option<string>("--ch-database") { Description = "ClickHouse database.", Required = true };
var table = new Option<string>("--table") { Description = "ClickHouse table.", Required = true };
var mode = new Option<SyncMode>("--mode") { Description = "IncrementalId, IncrementalTimestamp or Full.", Required = true };
var cursorField = new Option<string>("--cursor-field") { Description = "Cursor field for IncrementalTimestamp.", DefaultValueFactory = _ => ConnectorSpec.DefaultCursorField };
var batchSize = new Option<int>("--batch-size") { Description = "Documents per batch.", DefaultValueFactory = _ => ConnectorSpec.DefaultBatchSize };
var checkpointFile = new Option<FileInfo>("--checkpoint-file") { Description = "Where the checkpoint is kept between runs.", Required = true };
var maxInsertRows = new Option<int>("--max-insert-rows") { Description = "Most rows per INSERT (consecutive batches are coalesced up to this).", DefaultValueFactory = _ => new SyncEngineOptions().MaxInsertRows };
var connectorId = new Option<long>("--connector-id") { Description = "Connector id (names the insert deduplication tokens).", DefaultValueFactory = _ => 1 };
var settleSeconds = new Option<int>("--settle-seconds") { Description = "The incremental modes' settle window.", DefaultValueFactory = _ => ConnectorSpec.DefaultSettleSeconds };
var resync = new Option<bool>("--resync") { Description = "Reload everything into a new table and swap it in." };

var root = new RootCommand("Runs one Zenith sync with a file checkpoint; prints one line per committed batch.")
{
    mongo, database, collection, clickHouse, chDatabase, table, mode, cursorField, batchSize, checkpointFile, connectorId, maxInsertRows, settleSeconds, resync,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var connector = new ConnectorSpec(
        parse.GetRequiredValue(connectorId),
        "runner",
        new SourceSpec(parse.GetRequiredValue(mongo), parse.GetRequiredValue(database), parse.GetRequiredValue(collection)),
        new DestinationSpec(parse.GetRequiredValue(clickHouse), parse.GetRequiredValue(chDatabase), parse.GetRequiredValue(table)),
        parse.GetRequiredValue(mode),
        parse.GetRequiredValue(cursorField),
        parse.GetRequiredValue(batchSize),
        MappingOptions.Default,
        TableOptions.Default,
        parse.GetRequiredValue(settleSeconds));
    var store = new FileCheckpointStore(parse.GetRequiredValue(checkpointFile).FullName);
    var engine = new SyncEngine(new SyncEngineOptions { MaxInsertRows = parse.GetRequiredValue(maxInsertRows) });
    var result = await engine.RunAsync(connector, store, new ConsoleObserver(), RunOptions.New(parse.GetValue(resync)), cancellationToken);
    ConsoleObserver.Write($"done {result.Outcome} read={result.RowsRead} written={result.RowsWritten} error={result.Error}");
    return result.Outcome == SyncOutcome.Succeeded ? 0 : 1;
});
return await root.Parse(args).InvokeAsync();
