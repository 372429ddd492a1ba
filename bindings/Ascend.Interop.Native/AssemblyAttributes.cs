using System.Runtime.CompilerServices;

// Every signature in the bindings is blittable: no runtime marshalling, so LibraryImport stubs are
// plain calls and the assembly is trimming/AOT friendly.
[assembly: DisableRuntimeMarshalling]
