namespace Knd.Etcd;

/// <summary>One etcd key as knd needs it (etcd's <c>mvccpb.KeyValue</c> without the protobuf types).</summary>
internal sealed record EtcdKv(string Key, byte[] Value, long CreateRevision, long ModRevision, long LeaseId)
{
    public static EtcdKv From(Mvccpb.KeyValue kv) => new(kv.Key.ToStringUtf8(), kv.Value.ToByteArray(), kv.CreateRevision, kv.ModRevision, kv.Lease);
}
