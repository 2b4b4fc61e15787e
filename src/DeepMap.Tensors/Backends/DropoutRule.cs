using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Backends;

/// <summary>The one definition of which elements dropout keeps, shared by every backend so masks agree bit for bit.</summary>
public static class DropoutRule
{
    public static bool Keeps(ulong seed, long element, double keep) =>
        (SeededRandom.Hash(seed, (ulong)element) >> 40) < (ulong)(keep * (1UL << 24));
}
