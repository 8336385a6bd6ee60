using Zenith.Bench.Contestants;
using Zenith.Bench.DataSets;

namespace Zenith.Bench.Harness;

/// <summary>The first loads of a data set, and what is measured beside Zenith's flat runs (memory, verification).</summary>
internal sealed partial class BenchRun
{
    private async Task RunFirstLoadsAsync(DataSet dataSet, List<IContestant> contestants, ZenithContestant zenith, DestinationCeiling destinationCeiling, Destination destination, CancellationToken ct)
    {
        string? reference = null;
        var tables = new List<string>();
        foreach (var contestant in contestants)
        {
            if (!Applies(dataSet, contestant))
                continue;
            if (contestant == destinationCeiling)
                await destinationCeiling.PrepareAsync(TargetDatabase, reference, ct).ConfigureAwait(false);
            var table = $"{dataSet.Key}_{contestant.Key}";
            tables.Add(table);
            var cell = await MeasureAsync(dataSet, contestant, table, destination,
                (target, token) => destination.DropTableAsync(TargetDatabase, target.Table, token), final: false, ct).ConfigureAwait(false);
            cells.Add(cell);
            if (cell.Status == "ok" && reference is null && cell.Documents == dataSet.Documents && contestant.Name is ReportWriter.Zenith or ReportWriter.Node)
                reference = table;
            if (contestant == zenith && dataSet.Key == "flat")
            {
                await MeasureMemoryAsync(dataSet, zenith, cell, ct).ConfigureAwait(false);
                await MeasureVerificationAsync(dataSet, zenith, cell, ct).ConfigureAwait(false);
            }
        }
        await destinationCeiling.PrepareAsync(TargetDatabase, null, ct).ConfigureAwait(false);
        foreach (var table in tables)
            await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
    }

    /// <summary>The service process ran only the flat data set (warm-up and measured runs): its VmHWM now is their peak; VmRSS after an idle wait.</summary>
    private async Task MeasureMemoryAsync(DataSet dataSet, ZenithContestant zenith, CellResult cell, CancellationToken ct)
    {
        try
        {
            var peak = zenith.Service.PeakRssMiB;
            var idle = options.Memory ? TimeSpan.FromSeconds(5) : TimeSpan.Zero;
            await Task.Delay(idle, ct).ConfigureAwait(false);
            memory = new MemoryResult(
                $"the service process through the first loads of `{dataSet.Name}` (warm-up + {cell.Seconds.Length} run{(cell.Seconds.Length == 1 ? "" : "s")}), batch size {options.ZenithBatchSize:N0}",
                dataSet.Documents,
                cell.MedianSeconds ?? 0,
                peak,
                zenith.Service.RssMiB,
                idle.TotalSeconds,
                cell.Status == "ok" ? null : "the runs failed: " + cell.Note);
            // Which part of the idle RSS is the process's own (anonymous: heaps, W^X double-mapped code) and which is clean
            // file pages of the assemblies and native libraries it ran (shared, given back by the kernel under pressure).
            double Part(string field) => ProcStatus.ReadKb(zenith.Service.ProcessId, field) / 1024.0;
            var parts = $"anonymous {Part("RssAnon:"):N0} MiB, file-backed {Part("RssFile:"):N0} MiB, shared memory {Part("RssShmem:"):N0} MiB";
            notes.Add($"The service's idle RSS: {parts}.");
            Log($"memory: peak {memory.PeakRssMiB:N0} MiB, idle {memory.IdleRssMiB:N0} MiB ({parts})");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            notes.Add($"memory probe failed: {ex.Message}");
        }
    }

    /// <summary>
    /// Verifies the table of Zenith's largest flat run through the service's API (<c>POST /api/connectors/{id}/verify</c>, a sample of
    /// 1,000): ids compared per second as the service records it (<c>durationMs</c>), and the service's RSS sampled while it ran.
    /// </summary>
    private async Task MeasureVerificationAsync(DataSet dataSet, ZenithContestant zenith, CellResult cell, CancellationToken ct)
    {
        if (cell.Status != "ok" || zenith.LargestFirstLoad(dataSet.Name) is not { } id)
        {
            notes.Add("verification not measured: Zenith's flat runs did not succeed");
            return;
        }

        try
        {
            var before = zenith.Service.RssMiB;
            var (result, peak, phases) = await zenith.Service.VerifyAsync(id, sampleSize: 1000, ct).ConfigureAwait(false);
            var report = result.GetProperty("report");
            var compared = result.GetProperty("idsCompared").GetInt64();
            var seconds = result.GetProperty("durationMs").GetInt64() / 1000.0;
            var clean = report.GetProperty("clean").GetBoolean();
            var documents = report.GetProperty("sourceCount").GetInt64();
            var sampled = report.GetProperty("sampled").GetInt64();
            // MongoDB is read once for every id and once more for every sampled document (re-reads of differences aside).
            var elapsed = Math.Max(seconds, 0.001);
            double? At(string phase) => phases.FirstOrDefault(p => p.Phase == phase) is { Phase: not null } p ? p.At : null;
            var idPhase = At("ids") is { } start && (At("sample") ?? At("done")) is { } end ? end - start : (double?)null;
            verification = new VerificationBench(
                documents, compared, sampled, seconds, compared / elapsed, idPhase, (documents + sampled) / elapsed, before, Math.Max(before, peak), clean,
                clean ? null : $"the verification found differences: {report}");
            Log($"verify: {compared:N0} ids in {seconds:N2} s ({verification.IdsPerSecond:N0}/s; the id comparison alone {idPhase:N2} s, {verification.IdPhaseIdsPerSecond:N0}/s), MongoDB {verification.MongoReadsPerSecond:N0} documents/s, RSS {before:N0} → peak {verification.PeakRssMiB:N0} MiB, clean: {clean}; phases first seen: {string.Join(", ", phases.Select(p => $"{p.Phase} {p.At:N2} s"))}");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or HttpRequestException or KeyNotFoundException)
        {
            notes.Add($"verification failed: {ex.Message}");
        }
    }
}
