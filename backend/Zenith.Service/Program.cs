using Zenith.Service;
using Zenith.Service.Api;
using Zenith.Service.Auth;
using Zenith.Service.Cli;
using Zenith.Service.Configuration;
using Zenith.Service.Telemetry;

// `zenith serve`: the service. Anything else is the CLI (`zenith status`, `zenith sync <name>`, a mistyped word: exit 2).
if (!ZenithCli.StartsService(args))
{
    return await ZenithCli.RunAsync(args);
}

args = ZenithCli.ServiceArguments(args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = DashboardExtensions.LocateWebRoot() });
builder.Configuration.AddZenithConfiguration();
if (builder.TryReadSettings(out var settings) is { } configurationError)
{
    await Console.Error.WriteLineAsync(configurationError);
    return 1;
}

builder.Services
    .AddZenith(builder.Configuration, settings)
    .AddZenithTelemetry()
    .AddZenithAuth()
    .AddZenithApi();

var app = builder.Build();
app.UseLoopbackGuard(settings);
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

var api = app.MapGroup("/api").RequireApiKey(settings);
api.MapConnectorsApi();
api.MapRunsApi();
api.MapSchemaApi();
api.MapLogsApi();
api.MapVerificationsApi();
app.MapHealthApi();
app.MapZenithMetrics(settings);
app.MapZenithDocs();
app.MapDashboard();

return await app.RunZenithAsync();

/// <summary>The entry point; public so in-process tests can host it.</summary>
public partial class Program;
