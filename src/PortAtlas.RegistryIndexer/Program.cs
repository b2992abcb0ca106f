// PortAtlas.RegistryIndexer IANA_CSV CURATED_TSV OUT: writes the registry index of the two data files to OUT.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: PortAtlas.RegistryIndexer IANA_CSV CURATED_TSV OUT");
    return 2;
}
var index = PortAtlas.Registry.RegistryIndex.Build(File.ReadAllBytes(args[0]), File.ReadAllBytes(args[1]));
// Written aside and moved: a build that stops half-way never leaves a truncated index for the next one.
File.WriteAllBytes(args[2] + ".tmp", index);
File.Move(args[2] + ".tmp", args[2], overwrite: true);
return 0;
