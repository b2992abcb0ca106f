using System.CommandLine;
using System.Globalization;
using System.Text;
using PortAtlas.Cli.Rendering;
using PortAtlas.Local;
using PortAtlas.Registry;
using PortAtlas.Reports;
using PortAtlas.Sanitizing;
using Spectre.Console;

namespace PortAtlas.Cli.Commands;

/// <summary>`ports local`: what listens on this machine, by which process, and whether it should.</summary>
internal static class LocalCommand
{
    public static Command Build(CliContext cli)
    {
        var tcp = new Option<bool>("--tcp") { Description = "Only TCP" };
        var udp = new Option<bool>("--udp") { Description = "Only UDP" };
        var format = new Option<string>("--format", "-f") { Description = "table, json or csv", DefaultValueFactory = _ => "table" };
        var command = new Command("local", "Listening TCP and UDP sockets of this machine, with process, user and risk") { tcp, udp, format };
        command.SetAction(async (parse, ct) =>
        {
            var fmt = parse.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("table" or "json" or "csv"))
            {
                return cli.Fail(ExitCodes.BadInput, $"unknown format '{fmt}' for local: use table, json or csv");
            }
            var onlyTcp = parse.GetValue(tcp);
            var onlyUdp = parse.GetValue(udp);
            var listeners = await LocalListeners.GetAsync(new LocalListenerOptions
            {
                Tcp = onlyTcp || !onlyUdp,
                Udp = onlyUdp || !onlyTcp,
            }, ct).ConfigureAwait(false);
            switch (fmt)
            {
                case "json":
                    HistoryCommands.WriteJson(cli, json =>
                    {
                        json.WriteStartArray();
                        foreach (var l in listeners)
                        {
                            json.WriteStartObject();
                            json.WriteString("protocol", l.Protocol.ToName());
                            json.WriteString("address", l.Address.ToString());
                            json.WriteNumber("port", l.Port);
                            if (l.ProcessId is int pid) { json.WriteNumber("pid", pid); } else { json.WriteNull("pid"); }
                            json.WriteString("process", l.ProcessName);
                            json.WriteString("user", l.User);
                            json.WriteString("service", l.ServiceName);
                            json.WriteString("title", l.ServiceTitle);
                            json.WriteString("risk", l.Risk?.ToName());
                            json.WriteBoolean("allInterfaces", l.AllInterfaces);
                            json.WriteString("warning", l.Warning);
                            json.WriteEndObject();
                        }
                        json.WriteEndArray();
                    });
                    break;
                case "csv":
                    cli.Out.Write("protocol,address,port,pid,process,user,service,risk,all_interfaces,warning\n");
                    foreach (var l in listeners)
                    {
                        var line = new StringBuilder();
                        line.Append(CultureInfo.InvariantCulture, $"{l.Protocol.ToName()},");
                        RegistryReport.AppendCsv(line, l.Address.ToString()).Append(CultureInfo.InvariantCulture, $",{l.Port},{l.ProcessId},");
                        RegistryReport.AppendCsv(line, l.ProcessName).Append(',');
                        RegistryReport.AppendCsv(line, l.User).Append(',');
                        RegistryReport.AppendCsv(line, l.ServiceName).Append(',');
                        RegistryReport.AppendCsv(line, l.Risk?.ToName()).Append(',').Append(l.AllInterfaces ? "true" : "false").Append(',');
                        RegistryReport.AppendCsv(line, l.Warning).Append('\n');
                        cli.Out.Write(line);
                    }
                    break;
                default:
                    var table = new Table().Border(TableBorder.Rounded);
                    foreach (var column in new[] { "Proto", "Address", "Port", "Process", "User", "Service", "Risk", "Note" })
                    {
                        table.AddColumn(column);
                    }
                    foreach (var l in listeners)
                    {
                        table.AddRow(
                            Styled.Text(l.Protocol.ToName()),
                            Styled.Text(l.Address.ToString()),
                            Styled.Text(l.Port.ToString(CultureInfo.InvariantCulture)),
                            Styled.Text(l.ProcessId is int pid ? $"{OutsideText.Printable(l.ProcessName, 64, singleLine: true)} ({pid})" : "-"),
                            Styled.Text(OutsideText.Printable(l.User, 64, singleLine: true) ?? "-"),
                            Styled.Text(l.ServiceName),
                            Styled.Text(RegistryTable.Risk(l.Risk)),
                            Styled.Text(l.Warning, Styled.Yellow));
                    }
                    cli.Console.Write(table);
                    break;
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
