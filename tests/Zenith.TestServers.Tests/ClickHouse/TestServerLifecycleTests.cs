using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClickHouse.Driver;
using Zenith.TestServers.ClickHouse;

namespace Zenith.TestServers.Tests.ClickHouse;

/// <summary>How a ClickHouse test server starts and ends: each test starts a server of its own.</summary>
public sealed class TestServerLifecycleTests
{
    [Fact]
    public async Task Stopping_with_a_client_connection_still_open_ends_the_process_cleanly_and_removes_its_directory()
    {
        var server = await ClickHouseTestServer.StartAsync();
        var directory = server.Directory;
        Assert.True(Directory.Exists(Path.Combine(directory, "data")));
        // The client keeps its connection in its pool, as a test's client does when the fixture stops the server.
        using var client = new ClickHouseClient(server.ConnectionString);
        Assert.Equal((byte)1, await client.ExecuteScalarAsync("SELECT 1"));

        await server.DisposeAsync();

        Assert.Equal(0, server.ExitCode);
        Assert.False(Directory.Exists(directory), $"{directory} is left behind");
        Assert.False(IsRunning(server.ProcessId), "the server's process is still running");
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_stops_the_server_cleanly_and_the_fixture_reports_it_as_a_death(string signal)
    {
        var server = await ClickHouseTestServer.StartAsync();
        var directory = server.Directory;

        await SendSignalAsync(server.ProcessId, signal);
        var reason = await server.Died.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, server.ExitCode);
        Assert.False(Directory.Exists(directory), $"{directory} is left behind");
        Assert.Contains("exited with code 0 while in use", reason, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await server.DisposeAsync());
        Assert.Equal(reason, error.Message);
    }

    [Fact]
    public async Task A_server_killed_while_in_use_is_a_loud_failure_not_a_hang()
    {
        var server = await ClickHouseTestServer.StartAsync();
        var directory = server.Directory;

        using (var process = Process.GetProcessById(server.ProcessId))
            process.Kill();
        var reason = await server.Died.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains($"pid {server.ProcessId}) exited with code 137 while in use", reason, StringComparison.Ordinal);
        Assert.Equal(reason, Assert.Throws<InvalidOperationException>(server.ThrowIfDied).Message);
        using var client = new ClickHouseClient(server.ConnectionString);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.ExecuteScalarAsync("SELECT 1"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await server.DisposeAsync());
        Assert.Equal(reason, error.Message);
        Assert.False(Directory.Exists(directory), $"{directory} is left behind");
    }

    [Fact]
    public async Task A_port_already_taken_is_reported_as_such_so_the_start_is_retried_on_new_ports()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var free = FreePorts.Take(1)[0];

        await Assert.ThrowsAsync<PortTakenException>(() => ClickHouseTestServer.StartOnAsync(null, null, free, taken, [], CancellationToken.None));
        await Assert.ThrowsAsync<PortTakenException>(() => ClickHouseTestServer.StartOnAsync(null, null, taken, free, [], CancellationToken.None));
    }

    [Fact]
    public async Task The_server_logs_only_warnings_and_errors()
    {
        await using var server = await ClickHouseTestServer.StartAsync();
        using var client = new ClickHouseClient(server.ConnectionString);
        await client.ExecuteNonQueryAsync("CREATE DATABASE logs_check");
        await client.ExecuteNonQueryAsync("CREATE TABLE logs_check.t (id UInt32) ENGINE = MergeTree ORDER BY id");
        await client.ExecuteNonQueryAsync("INSERT INTO logs_check.t SELECT number FROM numbers(1000)");

        Assert.Equal(1000UL, await client.ExecuteScalarAsync("SELECT count() FROM logs_check.t"));
        foreach (var level in new[] { "<Trace>", "<Debug>", "<Information>" })
            Assert.DoesNotContain(level, server.Output, StringComparison.Ordinal);
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task SendSignalAsync(int processId, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {processId}") { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}
