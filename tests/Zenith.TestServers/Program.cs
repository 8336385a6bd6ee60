using System.CommandLine;
using System.Runtime.InteropServices;
using Zenith.TestServers.ClickHouse;
using Zenith.TestServers.ClickHouse.Engine;
using Zenith.TestServers.Mongo;

// The ClickHouse test server's own process (started by ClickHouseTestServer, not by people).
if (args is [EngineHost.Command, .. var engineArguments])
{
    return EngineHost.Run(engineArguments);
}

// Standalone mode, for people and for the Node tests: starts the test servers, prints
// "MONGO <uri>", "CLICKHOUSE <url>" and "READY", and runs until Ctrl-C, SIGTERM or (optionally) stdin closes.
var mongoOption = new Option<bool>("--mongo") { Description = "Start the MongoDB wire-protocol test server." };
var clickHouseOption = new Option<bool>("--clickhouse") { Description = "Start the ClickHouse test server (ClickHouse's own HTTP and native servers, run by chDB's library)." };
var bothOption = new Option<bool>("--both") { Description = "Start both servers (the default when neither is named)." };
var portOption = new Option<int>("--port") { Description = "Port of the MongoDB server; 0 picks a free port.", DefaultValueFactory = _ => 0 };
var stdinOption = new Option<bool>("--exit-on-stdin-close") { Description = "Stop when standard input closes (lets a parent process own the servers' lifetime)." };
var oplogOption = new Option<double>("--oplog-size-mb") { Description = "Size of the MongoDB server's oplog in MB (mongod's --oplogSize); change streams behind it fail with ChangeStreamHistoryLost.", DefaultValueFactory = _ => 256 };
portOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() is < 0 or > 65535)
    {
        result.AddError("--port must be between 0 and 65535.");
    }
});

var root = new RootCommand("Zenith's test servers: an in-memory MongoDB wire-protocol server and ClickHouse's own server run by chDB's library.")
{
    mongoOption, clickHouseOption, bothOption, portOption, stdinOption, oplogOption,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var neitherNamed = !parse.GetValue(mongoOption) && !parse.GetValue(clickHouseOption);
    var startMongo = parse.GetValue(bothOption) || neitherNamed || parse.GetValue(mongoOption);
    var startClickHouse = parse.GetValue(bothOption) || neitherNamed || parse.GetValue(clickHouseOption);
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    // SIGTERM (e.g. from a process manager) stops the servers cleanly, like Ctrl-C.
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
    {
        signal.Cancel = true;
        stop.Cancel();
    });

    var mongoOptions = new MongoTestServerOptions { OplogSizeBytes = (long)(parse.GetValue(oplogOption) * 1024 * 1024) };
    await using var mongo = startMongo ? MongoTestServer.Start(parse.GetValue(portOption), mongoOptions) : null;
    await using var clickHouse = startClickHouse ? await ClickHouseTestServer.StartAsync(stop.Token) : null;
    if (mongo is not null)
    {
        Console.WriteLine($"MONGO {mongo.ConnectionString}");
    }
    if (clickHouse is not null)
    {
        Console.WriteLine($"CLICKHOUSE {clickHouse.Url}");
        Console.WriteLine($"CLICKHOUSE_NATIVE 127.0.0.1:{clickHouse.NativePort}");
    }
    Console.WriteLine("READY");

    if (parse.GetValue(stdinOption))
    {
        _ = Task.Run(async () =>
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (await stdin.ReadAsync(buffer, stop.Token) > 0)
            {
            }
            await stop.CancelAsync();
        }, stop.Token);
    }
    try
    {
        // A ClickHouse server that dies ends this process too (its reason is on stderr), so no client waits on it.
        await Task.WhenAny(clickHouse?.Died ?? Task.Delay(Timeout.Infinite, stop.Token), Task.Delay(Timeout.Infinite, stop.Token)).Unwrap();
    }
    catch (OperationCanceledException)
    {
        // Ctrl-C, SIGTERM or stdin closed: dispose the servers and exit cleanly.
    }
    return clickHouse?.Died.IsCompleted == true ? 1 : 0;
});
return await root.Parse(args).InvokeAsync();
