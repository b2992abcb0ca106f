using System.Net;
using FsCheck.Xunit;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Reports;

/// <summary>Runs of alike plain hosts, as the table prints them: nothing lost, nothing reordered, only long runs joined.</summary>
public sealed class PlainHostRunsTests
{
    [Property(MaxTest = 200)]
    public void Of_AnyHosts_ExpandsBackToTheSameAddressesInOrder(byte[] gaps, byte longerThan)
    {
        // Addresses that step by 0-2 (0: the same address again), every fourth with a name, every fifth with other counts.
        var address = 0xC6120000u;
        var hosts = gaps.Select((gap, i) =>
        {
            address += (uint)(gap % 3);
            return new HostResult
            {
                Address = new IPAddress(BitConverter.GetBytes(address).Reverse().ToArray()),
                Hostname = i % 4 == 3 ? "h.example" : null,
                StateCounts = new Dictionary<string, long> { ["filtered"] = i % 5 == 4 ? 2 : 3 },
            };
        }).ToList();

        var runs = PlainHostRuns.Of(hosts, longerThan % 20).ToList();

        var expanded = runs.SelectMany(r => Enumerable.Range(0, (int)r.Count).Select(i => Value(r.First) + (uint)i)).ToList();
        Assert.Equal(hosts.Select(Value), expanded);
        Assert.All(runs, r => Assert.True(r.Count == 1 || (r.Count > longerThan % 20 && Value(r.Last) - Value(r.First) == r.Count - 1)));
    }

    private static uint Value(HostResult host) => BitConverter.ToUInt32(host.Address.GetAddressBytes().Reverse().ToArray());
}
