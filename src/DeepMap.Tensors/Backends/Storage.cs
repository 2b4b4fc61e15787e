namespace DeepMap.Tensors.Backends;

/// <summary>A backend's buffer of <see cref="Length"/> elements. Only its backend reads or writes it.</summary>
public abstract class Storage
{
    protected Storage(IBackend backend, int length)
    {
        Backend = backend;
        Length = length;
    }

    public IBackend Backend { get; }

    public int Length { get; }
}
