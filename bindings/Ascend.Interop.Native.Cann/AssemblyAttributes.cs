using System.Runtime.CompilerServices;

// Blittable signatures only, as in Ascend.Interop.Native.
[assembly: DisableRuntimeMarshalling]
