using Zenith.Service.Domain;
using Zenith.Service.Runs;

namespace Zenith.Service.Tests.Scheduling;

/// <summary>The in-memory connector states the gauges read instead of SQLite.</summary>
public sealed class ConnectorStatesTests
{
    private static ConnectorSummary Summary(long id, ConnectorStatus status = ConnectorStatus.Active, int failures = 0) =>
        new(id, $"c{id}", status, failures, null, null, 60);

    [Fact]
    public void The_gauges_see_each_change_and_whether_a_run_goes()
    {
        var states = new ConnectorStates();
        states.Set(Summary(2));
        states.Set(Summary(1));
        states.SetRunning(2, true);
        states.Set(Summary(1, ConnectorStatus.Error, 3));

        Assert.Equal(
            [("c1", ConnectorStatus.Error, false, 3), ("c2", ConnectorStatus.Active, true, 0)],
            states.Read().Select(g => (g.Name, g.Status, g.Running, g.ConsecutiveFailures)));

        states.SetRunning(2, false);
        states.Remove(1);
        Assert.Equal([("c2", false)], states.Read().Select(g => (g.Name, g.Running)));
    }

    [Fact]
    public void A_refresh_from_the_store_adds_new_connectors_and_forgets_deleted_ones()
    {
        var states = new ConnectorStates();
        states.Set(Summary(1));
        states.Set(Summary(2));
        states.ReplaceAll([Summary(2, ConnectorStatus.Paused), Summary(3)]);
        Assert.Equal([("c2", ConnectorStatus.Paused), ("c3", ConnectorStatus.Active)], states.Read().Select(g => (g.Name, g.Status)));
    }
}
