using System.Runtime.InteropServices;

namespace Zenith.TestServers.ClickHouse.Engine;

/// <summary>
/// chDB's stable C entry point, <c>query_stable_v2(argc, argv)</c>: the clickhouse-local command line run in
/// this process. It returns when the batch of queries it was given ends; while the batch runs, the servers it
/// started with <c>SYSTEM START LISTEN</c> answer. Loaded with <see cref="NativeLibrary"/> rather than
/// <c>[DllImport]</c> so the library's path is chosen at run time (the repository's node_modules).
/// </summary>
internal static class ChDbLibrary
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr QueryStable(int argc, IntPtr[] argv);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void FreeResult(IntPtr result);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Exit(int status);

    /// <summary>
    /// Runs clickhouse-local with <paramref name="arguments"/> (without the program name) and returns the error
    /// chDB reported, if any. clickhouse-local itself prints a failing query's exception on stderr.
    /// </summary>
    public static string? RunCommandLine(string libraryPath, IReadOnlyList<string> arguments)
    {
        var library = NativeLibrary.Load(libraryPath);
        var query = Marshal.GetDelegateForFunctionPointer<QueryStable>(NativeLibrary.GetExport(library, "query_stable_v2"));
        var free = Marshal.GetDelegateForFunctionPointer<FreeResult>(NativeLibrary.GetExport(library, "free_result_v2"));
        var argv = new IntPtr[arguments.Count + 2]; // program name first, a null pointer last, as C's argv
        try
        {
            argv[0] = Marshal.StringToCoTaskMemUTF8("clickhouse");
            for (var i = 0; i < arguments.Count; i++)
                argv[i + 1] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
            var result = query(arguments.Count + 1, argv);
            if (result == IntPtr.Zero)
                return "chDB returned no result";
            try
            {
                var error = Marshal.PtrToStructure<LocalResultV2>(result).ErrorMessage;
                return error == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(error);
            }
            finally
            {
                free(result);
            }
        }
        finally
        {
            foreach (var pointer in argv)
                Marshal.FreeCoTaskMem(pointer);
        }
    }

    /// <summary>
    /// Ends the process at once, without running the runtime's or ClickHouse's exit handlers: for an engine that
    /// did not stop when asked, whose threads would race those handlers.
    /// </summary>
    public static void ExitImmediately(int status)
    {
        var libc = NativeLibrary.Load("libc.so.6");
        Marshal.GetDelegateForFunctionPointer<Exit>(NativeLibrary.GetExport(libc, "_exit"))(status);
    }

    /// <summary><c>struct local_result_v2</c> of chdb.h.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct LocalResultV2
    {
        public readonly IntPtr Buffer;
        public readonly nuint Length;
        public readonly IntPtr Vector;
        public readonly double Elapsed;
        public readonly ulong RowsRead;
        public readonly ulong BytesRead;
        public readonly IntPtr ErrorMessage;
    }
}
