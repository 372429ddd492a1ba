using System.Reflection;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>
/// AclErrorCodes.NameOf against the generated constants of our headers (whose names and values the bindings generator
/// checks against CANN's headers): every code our headers declare has its CANN name, and our former names are only
/// obsolete aliases that point at CANN's.
/// </summary>
public sealed class AclErrorCodeNameTests
{
    private static IEnumerable<FieldInfo> Codes(Type bindings, string prefix) =>
        bindings.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int) && f.Name.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void Every_declared_code_has_its_CANN_name()
    {
        var current = Codes(typeof(Acl), "ACL_ERROR_").Concat(Codes(typeof(AclNN), "ACLNN_ERR_"))
            .Where(f => f.GetCustomAttribute<ObsoleteAttribute>() is null)
            .ToList();
        Assert.True(current.Count > 60, $"only {current.Count} codes found");
        foreach (FieldInfo field in current)
        {
            int code = (int)field.GetRawConstantValue()!;
            if (code == 0)
            {
                continue; // ACL_ERROR_NONE is CANN's other name of ACL_SUCCESS
            }
            Assert.Equal(field.Name, AclErrorCodes.NameOf(code));
        }
    }

    [Fact]
    public void Former_names_are_obsolete_aliases_of_CANNs()
    {
        var expected = new Dictionary<string, (int Code, string Name)>
        {
            ["ACL_ERROR_RT_SUBSCRIBE_THREAD"] = (107012, "ACL_ERROR_RT_THREAD_SUBSCRIBE"),
            ["ACL_ERROR_RT_TASK_GROUP_STATUS"] = (107033, "ACL_ERROR_STREAM_TASK_GROUP_STATUS"),
            ["ACL_ERROR_RT_CAPTURE_WRONG_THREAD"] = (107038, "ACL_ERROR_RT_STREAM_CAPTURE_WRONG_THREAD"),
        };
        var obsolete = Codes(typeof(Acl), "ACL_").Where(f => f.GetCustomAttribute<ObsoleteAttribute>() is not null).ToList();
        Assert.Equal(expected.Keys.Order(), obsolete.Select(f => f.Name).Order());
        foreach (FieldInfo field in obsolete)
        {
            var (code, name) = expected[field.Name];
            Assert.Equal(code, (int)field.GetRawConstantValue()!);
            Assert.Equal(name, AclErrorCodes.NameOf(code));
            Assert.Contains(name, field.GetCustomAttribute<ObsoleteAttribute>()!.Message);
        }
    }

    [Fact]
    public void Codes_new_in_CANN_9_1_are_named()
    {
        Assert.Equal("ACL_ERROR_RT_INSUFFICIENT_INPUT_ARRAY", AclErrorCodes.NameOf(107039));
        Assert.Equal("ACL_ERROR_RT_MODEL_UPDATE_FAILED", AclErrorCodes.NameOf(107040));
        Assert.Equal("ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC", AclErrorCodes.NameOf(107041));
        Assert.Equal("ACL_ERROR_RT_SUB_ACLGRAPH_IS_CAPTURING", AclErrorCodes.NameOf(107045));
        Assert.Equal("ACL_ERROR_RT_TIMEOUT", AclErrorCodes.NameOf(207020));
        Assert.Equal("ACL_ERROR_RT_CCU_EXCEPTION", AclErrorCodes.NameOf(507916));
        Assert.Contains("smaller", AclErrorCodes.ExplanationOf(107039));
    }
}
