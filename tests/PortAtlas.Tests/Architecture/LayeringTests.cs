using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Reflection.Emit;

namespace PortAtlas.Tests.Architecture;

/// <summary>
/// The library's floors (DESIGN.md): Model and Sanitizing use nothing; Registry and Targets use only Model (Targets reads service
/// names from the Registry); Scanning, Detection and Assessment use neither Storage nor Reports; nothing in the library
/// uses the CLI. Checked on the compiled library: every type and member reference in each namespace's types, method
/// bodies included (read from the assembly's metadata).
/// </summary>
public sealed class LayeringTests
{
    private static readonly Dictionary<short, OperandType> s_operands = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value, o => o.OperandType);

    private static readonly Dictionary<string, string[]> s_allowed = new()
    {
        ["Model"] = [],
        // Escaping outside text and masking secrets: a leaf every floor may use; it uses nothing of the library.
        ["Sanitizing"] = [],
        ["Registry"] = ["Sanitizing", "Model"],
        ["Targets"] = ["Sanitizing", "Model", "Registry"],
        ["Detection"] = ["Sanitizing", "Model", "Registry", "Targets", "Detection", "Assessment"],
        ["Assessment"] = ["Sanitizing", "Model", "Registry", "Targets", "Detection", "Assessment"],
        ["Scanning"] = ["Sanitizing", "Model", "Registry", "Targets", "Scanning", "Detection", "Assessment"],
        ["Local"] = ["Sanitizing", "Model", "Registry", "Targets"],
        ["Storage"] = ["Sanitizing", "Model", "Registry", "Targets", "Scanning", "Detection", "Assessment", "Reports"],
        ["Reports"] = ["Sanitizing", "Model", "Registry", "Targets", "Scanning", "Detection", "Assessment", "Storage"],
    };

    [Fact]
    public void EveryNamespace_UsesOnlyTheFloorsBelowIt()
    {
        var uses = NamespaceUses(typeof(PortAtlas.Scanning.ScanPlan).Assembly);
        var violations = new List<string>();
        foreach (var (from, targets) in uses)
        {
            var allowed = s_allowed.TryGetValue(from, out var list) ? list : throw new InvalidOperationException($"namespace PortAtlas.{from} has no floor in this test: add it");
            foreach (var (to, example) in targets)
            {
                if (to != from && !allowed.Contains(to))
                {
                    violations.Add($"PortAtlas.{from} uses PortAtlas.{to} ({example})");
                }
            }
        }
        Assert.Empty(violations);
    }

    [Fact]
    public void TheCheck_SeesUsesInsideMethodBodies()
    {
        // The check would be blind if it read only signatures: ScanSession's body news up a ServiceDetector.
        var uses = NamespaceUses(typeof(PortAtlas.Scanning.ScanPlan).Assembly);
        Assert.Contains("Detection", uses["Scanning"].Keys);
        Assert.DoesNotContain(uses.Keys, k => k == "Cli");
    }

    [Fact]
    public void TheLibrary_DoesNotReferenceTheCli()
    {
        var references = typeof(PortAtlas.Scanning.ScanPlan).Assembly.GetReferencedAssemblies().Select(a => a.Name);
        Assert.DoesNotContain("ports", references);
        Assert.DoesNotContain(references, r => r!.StartsWith("PortAtlas.Cli", StringComparison.Ordinal) || r.StartsWith("Spectre", StringComparison.Ordinal));
    }

    /// <summary>For each second-level namespace (PortAtlas.X), the PortAtlas namespaces its types refer to, with one example each.</summary>
    private static Dictionary<string, Dictionary<string, string>> NamespaceUses(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var result = new Dictionary<string, Dictionary<string, string>>();
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            var from = Floor(NamespaceOf(md, handle));
            if (from is null)
            {
                continue;
            }
            var uses = result.TryGetValue(from, out var u) ? u : result[from] = [];
            var name = md.GetString(type.Name);
            void Use(string? ns, string what)
            {
                if (Floor(ns) is { } to)
                {
                    uses.TryAdd(to, $"{name}: {what}");
                }
            }
            foreach (var method in type.GetMethods().Select(md.GetMethodDefinition))
            {
                Use(SignatureNamespaces(md, method.Signature), $"signature of {md.GetString(method.Name)}");
                if (method.RelativeVirtualAddress == 0)
                {
                    continue;
                }
                var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                var il = body.GetILReader();
                while (il.RemainingBytes > 0)
                {
                    var code = il.ReadByte() is var first && first == 0xFE ? (short)(0xFE00 | il.ReadByte()) : first;
                    var operand = s_operands.TryGetValue((short)code, out var kind) ? kind : OperandType.InlineNone;
                    switch (operand)
                    {
                        case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                            foreach (var ns in TokenNamespaces(md, il.ReadInt32()))
                            {
                                Use(ns, $"body of {md.GetString(method.Name)}");
                            }
                            break;
                        case OperandType.InlineSwitch:
                            var targets = il.ReadInt32();
                            il.Offset += 4 * targets;
                            break;
                        case OperandType.InlineI8 or OperandType.InlineR:
                            il.Offset += 8;
                            break;
                        case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                            il.Offset += 4;
                            break;
                        case OperandType.InlineVar:
                            il.Offset += 2;
                            break;
                        case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                            il.Offset += 1;
                            break;
                    }
                }
            }
            foreach (var field in type.GetFields().Select(md.GetFieldDefinition))
            {
                Use(SignatureNamespaces(md, field.Signature), $"field {md.GetString(field.Name)}");
            }
            if (!type.BaseType.IsNil)
            {
                Use(EntityNamespace(md, type.BaseType), "base type");
            }
        }
        return result;
    }

    private static IEnumerable<string?> TokenNamespaces(MetadataReader md, int token)
    {
        var table = token >>> 24;
        var row = token & 0xFFFFFF;
        if (row == 0)
        {
            yield break;
        }
        var tableIndex = (TableIndex)table;
        if (tableIndex is not (TableIndex.TypeRef or TableIndex.TypeDef or TableIndex.MemberRef or TableIndex.MethodDef or TableIndex.Field or TableIndex.TypeSpec or TableIndex.MethodSpec)
            || row > md.GetTableRowCount(tableIndex))
        {
            yield break;
        }
        EntityHandle handle = MetadataTokens.EntityHandle(token);
        string? ns;
        try
        {
            ns = handle.Kind switch
            {
                HandleKind.MemberReference => EntityNamespace(md, md.GetMemberReference((MemberReferenceHandle)handle).Parent),
                HandleKind.MethodDefinition => NamespaceOf(md, md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType()),
                HandleKind.FieldDefinition => NamespaceOf(md, md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType()),
                HandleKind.MethodSpecification => EntityNamespace(md, md.GetMethodSpecification((MethodSpecificationHandle)handle).Method),
                _ => EntityNamespace(md, handle),
            };
        }
        catch (BadImageFormatException)
        {
            yield break;
        }
        yield return ns;
    }

    private static string? EntityNamespace(MetadataReader md, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeDefinition => NamespaceOf(md, (TypeDefinitionHandle)handle),
        HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)handle).Namespace),
        HandleKind.TypeSpecification => SignatureNamespaces(md, md.GetTypeSpecification((TypeSpecificationHandle)handle).Signature),
        HandleKind.MethodDefinition => NamespaceOf(md, md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType()),
        HandleKind.MemberReference => EntityNamespace(md, md.GetMemberReference((MemberReferenceHandle)handle).Parent),
        _ => null,
    };

    private static string? NamespaceOf(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        var declaring = type.GetDeclaringType();
        return declaring.IsNil ? md.GetString(type.Namespace) : NamespaceOf(md, declaring);
    }

    /// <summary>The first PortAtlas namespace named by the types in a signature blob (enough to flag a use).</summary>
    private static string? SignatureNamespaces(MetadataReader md, BlobHandle signature)
    {
        var reader = md.GetBlobReader(signature);
        while (reader.RemainingBytes > 0)
        {
            var b = reader.ReadByte();
            // CLASS / VALUETYPE (ECMA-335 II.23.2.12) are followed by a TypeDefOrRefOrSpec coded index.
            if (b is 0x11 or 0x12 && reader.RemainingBytes > 0)
            {
                var offset = reader.Offset;
                try
                {
                    var ns = EntityNamespace(md, reader.ReadTypeHandle());
                    if (Floor(ns) is not null)
                    {
                        return ns;
                    }
                }
                catch (BadImageFormatException)
                {
                    reader.Offset = offset;
                }
            }
        }
        return null;
    }

    private static string? Floor(string? ns)
    {
        if (ns is null || !ns.StartsWith("PortAtlas.", StringComparison.Ordinal))
        {
            return null;
        }
        var rest = ns["PortAtlas.".Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }
}
