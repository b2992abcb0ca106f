using PortAtlas.Model;
using PortAtlas.Scanning;

// Usage: LibraryScan HOST PORTS, e.g. LibraryScan 127.0.0.1 1-1024
var parsed = await ScanPlan.ParseAsync(new ScanPlanInput { Targets = [args[0]], Ports = args[1], Techniques = [ScanTechnique.Connect] });
if (parsed.Plan is not { } plan)
{
    Console.Error.WriteLine($"bad input: {parsed.Error}");
    return 2;
}
await using var session = new ScanSession(plan);
await foreach (var port in session.RunAsync())
{
    if (port.State == PortState.Open)
    {
        Console.WriteLine($"{port.Address} {port.Port}/{port.Protocol.ToName()} open");
    }
}
return 0;
