using System.Runtime.InteropServices;

internal static unsafe partial class Program
{
    private static int Main()
    {
#if RAW_WRITE
        ReadOnlySpan<byte> text = "hello\n"u8;
        fixed (byte* bytes = text)
        {
            _ = Write(1, bytes, text.Length);
        }
#else
        Console.WriteLine("hello");
#endif
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "write")]
    private static partial nint Write(int fd, byte* buffer, nint count);
}
