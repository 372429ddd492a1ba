#:project ../src/Ascend.Interop.Testing/Ascend.Interop.Testing.csproj
// Prints the NPU environment as Markdown list items, for the hardware-in-the-loop report (build/hardware-test.sh):
// backend, loaded libraries, AscendCL runtime version, SoC name, device count and each device's memory.
// Exit code 1 when no backend loads or the runtime does not start.
using Ascend.Interop;
using Ascend.Interop.Testing;

NpuEnvironmentInfo info = NpuTestEnvironment.Current;
Console.WriteLine($"- Backend: {(info.Backend is null ? "none" : info.Backend == NpuBackend.Cann ? "CANN" : "simulator")}");
Console.WriteLine($"- Native libraries: {(info.Libraries.Count == 0 ? "none" : string.Join(", ", info.Libraries.Select(l => $"`{l}`")))}");
if (!info.IsAvailable)
{
    Console.WriteLine($"- Problem: {info.Error?.Split('\n')[0]}");
    return 1;
}
Console.WriteLine($"- AscendCL runtime version (aclrtGetVersion): {info.AclVersion}");
Console.WriteLine($"- SoC (aclrtGetSocName): {info.SocName}");
Console.WriteLine($"- Devices (aclrtGetDeviceCount): {info.DeviceCount}");
using NpuRuntime runtime = NpuRuntime.Initialize();
for (int id = 0; id < info.DeviceCount; id++)
{
    using NpuDevice device = NpuDevice.Open(id);
    (long free, long total) = device.GetMemoryInfo();
    Console.WriteLine($"  - device {id}: HBM {total / (1 << 20)} MiB, {free / (1 << 20)} MiB free; {device.StreamBudget}");
}
return 0;
