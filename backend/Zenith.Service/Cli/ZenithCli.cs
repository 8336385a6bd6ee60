namespace Zenith.Service.Cli;

/// <summary>The command line on the same binary.</summary>
public static class ZenithCli
{
    private static readonly string[] Commands = ["serve", "status", "sync", "connectors", "migrate", "--help", "-h", "-?", "--version"];

    public static bool IsCommand(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Length > 0 && Commands.Contains(args[0], StringComparer.Ordinal);
    }

    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length >= 0 ? 1 : 0);
}
